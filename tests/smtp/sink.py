"""A real SMTP server for Quartier's tests: accepts mail on 127.0.0.1:<port> and writes each
message, parsed, as JSON into <dir>. Recipients whose local part starts with `refuse` are
refused for good (550), those starting with `busy` for now (451).

Usage: python3 sink.py <port> <dir> [--count-only]; prints `ready` once it listens. With
`--count-only` (for benchmarks) each message is stored as an empty file, unparsed.
"""

import json
import os
import sys
import time
import uuid
from email import policy
from email.parser import BytesParser

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, directory, count_only=False):
        self.directory = directory
        self.count_only = count_only

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@", 1)[0].lower()
        if local.startswith("refuse"):
            return "550 5.1.1 No such mailbox"
        if local.startswith("busy"):
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.count_only:
            open(os.path.join(self.directory, f"{time.time_ns()}-{uuid.uuid4().hex}.json"), "w").close()
            return "250 Message accepted"
        message = BytesParser(policy=policy.default).parsebytes(envelope.content)
        plain = message.get_body(preferencelist=("plain",))
        html = message.get_body(preferencelist=("html",))
        calendars = [
            part.get_content()
            for part in message.walk()
            if part.get_content_type() == "text/calendar"
        ]
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "headers": [[name, str(value)] for name, value in message.items()],
            "content_types": [part.get_content_type() for part in message.walk()],
            "text": plain.get_content() if plain is not None else None,
            "html": html.get_content() if html is not None else None,
            "calendars": calendars,
        }
        name = f"{time.time_ns()}-{uuid.uuid4().hex}"
        temporary = os.path.join(self.directory, name + ".tmp")
        with open(temporary, "w", encoding="utf-8") as out:
            json.dump(record, out)
        os.rename(temporary, os.path.join(self.directory, name + ".json"))
        return "250 Message accepted"


def main():
    port = int(sys.argv[1])
    directory = sys.argv[2]
    os.makedirs(directory, exist_ok=True)
    count_only = "--count-only" in sys.argv[3:]
    controller = Controller(Sink(directory, count_only), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    try:
        # Until the test kills it, or its standard input closes with the test process.
        sys.stdin.read()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
