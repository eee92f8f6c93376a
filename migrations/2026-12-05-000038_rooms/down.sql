DROP TABLE room_claims;
DROP FUNCTION room_booking_dates_claim() CASCADE;
DROP TABLE room_booking_dates;
DROP TABLE room_bookings;
DROP TABLE room_parts;
DROP TABLE rooms;
