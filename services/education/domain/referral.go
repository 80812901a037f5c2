package domain

import (
	"slices"
	"time"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
)

// ReferralStatus is where a referral is in its lifecycle.
type ReferralStatus int32

const (
	ReferralStatusUnspecified ReferralStatus = iota
	Proposed
	Accepted
	Enrolled
	Completed
	Dropped
	Declined
	Waitlisted
)

var referralStatusNames = map[ReferralStatus]string{
	Proposed: "PROPOSED", Accepted: "ACCEPTED", Enrolled: "ENROLLED", Completed: "COMPLETED",
	Dropped: "DROPPED", Declined: "DECLINED", Waitlisted: "WAITLISTED",
}

// ReferralStatuses lists every status.
func ReferralStatuses() []ReferralStatus {
	return []ReferralStatus{Proposed, Accepted, Enrolled, Completed, Dropped, Declined, Waitlisted}
}

// Valid reports whether s is a known status.
func (s ReferralStatus) Valid() bool { _, ok := referralStatusNames[s]; return ok }

// String is the API name, e.g. ENROLLED.
func (s ReferralStatus) String() string {
	if n, ok := referralStatusNames[s]; ok {
		return n
	}
	return "UNSPECIFIED"
}

// HoldsSeat reports whether a referral in status s occupies a seat. A
// completed participant used the seat, so it stays booked.
func (s ReferralStatus) HoldsSeat() bool { return s == Accepted || s == Enrolled || s == Completed }

// Open reports whether a referral in status s is still under way.
func (s ReferralStatus) Open() bool {
	return s == Proposed || s == Accepted || s == Enrolled || s == Waitlisted
}

// referralTransitions are the changes a caller may ask for. PROPOSED →
// ACCEPTED becomes PROPOSED → WAITLISTED when no seat is free, and
// WAITLISTED → ACCEPTED happens only when a freed seat promotes the referral.
var referralTransitions = map[ReferralStatus][]ReferralStatus{
	Proposed:   {Accepted, Declined, Dropped},
	Accepted:   {Enrolled, Dropped},
	Enrolled:   {Completed, Dropped},
	Waitlisted: {Declined, Dropped},
}

// CanTransitionReferral reports whether a caller may move a referral from one status to another.
func CanTransitionReferral(from, to ReferralStatus) bool {
	return slices.Contains(referralTransitions[from], to)
}

// Referral is a participant's referral to an offer. It belongs to the
// offer's aggregate, so the offer's version guards the seats.
type Referral struct {
	ID          string
	Offer       string
	Participant string
	Status      ReferralStatus
	// WaitSince orders the waiting list: the version at which the referral
	// was put on it.
	WaitSince uint64
	// CreatedVersion is the version of the referral's creation; it orders
	// referrals by arrival across offers.
	CreatedVersion uint64
	Version        uint64
	CreateTime     time.Time
	UpdateTime     time.Time
}

// ReferralChange is the outcome of a requested status change.
type ReferralChange struct {
	From, To ReferralStatus
	// Promoted is the waiting referral that gets the seat the change freed.
	Promoted *Referral
}

// DecideNewReferral decides the status of a new referral of participant p:
// PROPOSED while seats are free, WAITLISTED otherwise.
func (o *OfferState) DecideNewReferral(p *ParticipantState) (ReferralStatus, error) {
	if err := p.CheckActive(); err != nil {
		return 0, err
	}
	if !o.Status.Active() {
		return 0, apierr.FailedPrecondition("OFFER_CLOSED", map[string]string{"offer_status": o.Status.String()},
			"offer %s is %s and takes no referrals", o.ID, o.Status)
	}
	for _, r := range o.referrals {
		if r.Participant == p.ID && r.Status.Open() {
			return 0, apierr.AlreadyExists("participant %s already has a %s referral %s to offer %s", p.ID, r.Status, r.ID, o.ID)
		}
	}
	if o.Free() > 0 {
		return Proposed, nil
	}
	return Waitlisted, nil
}

// DecideReferral validates a requested status change of referral r.
func (o *OfferState) DecideReferral(r *Referral, to ReferralStatus) (ReferralChange, error) {
	if to != Accepted && to != Enrolled && to != Completed && to != Dropped && to != Declined {
		return ReferralChange{}, apierr.Invalid("status", "must be ACCEPTED, ENROLLED, COMPLETED, DROPPED or DECLINED (WAITLISTED follows from a full offer)")
	}
	if !CanTransitionReferral(r.Status, to) {
		return ReferralChange{}, apierr.FailedPrecondition("INVALID_TRANSITION",
			map[string]string{"from": r.Status.String(), "to": to.String()},
			"a referral cannot move from %s to %s (allowed from %s: %v)", r.Status, to, r.Status, referralTransitions[r.Status])
	}
	if (to == Accepted || to == Enrolled) && !o.Status.Active() {
		return ReferralChange{}, apierr.FailedPrecondition("OFFER_CLOSED", map[string]string{"offer_status": o.Status.String()},
			"offer %s is %s; its referrals can only be dropped or declined", o.ID, o.Status)
	}
	c := ReferralChange{From: r.Status, To: to}
	if to == Accepted && o.Free() <= 0 {
		c.To = Waitlisted
	}
	if r.Status.HoldsSeat() && !c.To.HoldsSeat() && o.Status.Active() {
		if w := o.Waitlist(); len(w) > 0 {
			c.Promoted = w[0]
		}
	}
	return c, nil
}
