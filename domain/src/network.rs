//! Networks of the neighbourhood work (Quartiersnetzwerk, Runder Tisch, Quartiersbeirat,
//! Kernteam) and who belongs to them: joining needs the other side's consent.

/// What a network is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetworkKind {
    /// The Quartiersnetzwerk of a district.
    NeighbourhoodNetwork,
    /// A Runder Tisch on one topic.
    RoundTable,
    /// A Quartiersbeirat.
    AdvisoryBoard,
    /// The Kernteam of Quartierskoordination and Quartiersmanagement.
    CoreTeam,
    Other,
}

impl NetworkKind {
    pub const ALL: [NetworkKind; 5] = [
        NetworkKind::NeighbourhoodNetwork,
        NetworkKind::RoundTable,
        NetworkKind::AdvisoryBoard,
        NetworkKind::CoreTeam,
        NetworkKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NetworkKind::NeighbourhoodNetwork => "neighbourhood_network",
            NetworkKind::RoundTable => "round_table",
            NetworkKind::AdvisoryBoard => "advisory_board",
            NetworkKind::CoreTeam => "core_team",
            NetworkKind::Other => "other",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == raw)
    }
}

/// Where a membership stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MembershipStatus {
    /// The network asked; the member has not answered.
    Invited,
    /// The member asked; the network has not answered.
    Requested,
    Active,
    Declined,
    Left,
}

/// Who moves a membership: those who keep the network, or the member (the person, or a
/// partner's admin).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MembershipSide {
    Network,
    Member,
}

impl MembershipStatus {
    pub const ALL: [MembershipStatus; 5] = [
        MembershipStatus::Invited,
        MembershipStatus::Requested,
        MembershipStatus::Active,
        MembershipStatus::Declined,
        MembershipStatus::Left,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MembershipStatus::Invited => "invited",
            MembershipStatus::Requested => "requested",
            MembershipStatus::Active => "active",
            MembershipStatus::Declined => "declined",
            MembershipStatus::Left => "left",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == raw)
    }

    /// The status a new membership starts in when `side` asks for it.
    pub fn asked_by(side: MembershipSide) -> Self {
        match side {
            MembershipSide::Network => MembershipStatus::Invited,
            MembershipSide::Member => MembershipStatus::Requested,
        }
    }

    /// Whether `side` may move a membership from `self` to `next`: only the side that was
    /// asked accepts; either side declines what is pending and ends what is active.
    pub fn may_move(self, next: MembershipStatus, side: MembershipSide) -> bool {
        use MembershipStatus::*;
        match (self, next) {
            (Invited, Active) => side == MembershipSide::Member,
            (Requested, Active) => side == MembershipSide::Network,
            (Invited | Requested, Declined) | (Active, Left) => true,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use MembershipSide::*;
    use MembershipStatus::*;

    #[test]
    fn joining_needs_the_other_sides_consent() {
        assert_eq!(MembershipStatus::asked_by(Network), Invited);
        assert!(Invited.may_move(Active, Member));
        assert!(!Invited.may_move(Active, Network));
        assert!(Requested.may_move(Active, Network));
        assert!(!Requested.may_move(Active, Member));
        for side in [Network, Member] {
            assert!(Invited.may_move(Declined, side));
            assert!(Active.may_move(Left, side));
            assert!(!Left.may_move(Active, side));
            assert!(!Declined.may_move(Active, side));
        }
        for status in MembershipStatus::ALL {
            assert_eq!(MembershipStatus::parse(status.as_str()), Some(status));
        }
        for kind in NetworkKind::ALL {
            assert_eq!(NetworkKind::parse(kind.as_str()), Some(kind));
        }
    }
}
