package app

import (
	"time"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	"github.com/integrationsplan/integrationsplan/services/education/domain"
)

// ProviderView is a provider as a caller sees it.
type ProviderView struct {
	domain.Provider
	Version    uint64
	CreateTime time.Time
}

func providerView(p *domain.ProviderState) ProviderView {
	return ProviderView{Provider: p.Provider, Version: p.Version, CreateTime: p.CreateTime}
}

// OfferView is an offer as a caller sees it, with its derived seats.
type OfferView struct {
	domain.Offer
	Status     domain.OfferStatus
	Booked     int32
	Free       int32
	Version    uint64
	CreateTime time.Time
	UpdateTime time.Time
}

func offerView(o *domain.OfferState) OfferView {
	return OfferView{
		Offer: o.Offer, Status: o.ShownStatus(), Booked: o.Booked(), Free: o.Free(),
		Version: o.Version, CreateTime: o.CreateTime, UpdateTime: o.UpdateTime,
	}
}

// ReferralView is a referral with its place on the waiting list.
type ReferralView struct {
	domain.Referral
	WaitlistPosition int
}

func referralView(o *domain.OfferState, r *domain.Referral) ReferralView {
	return ReferralView{Referral: *r, WaitlistPosition: o.WaitlistPosition(r)}
}

// ParticipantView is a participant; Personal is nil once erased.
type ParticipantView struct {
	ID         string
	Personal   *domain.PersonalData
	Assessment *domain.Assessment
	Erased     bool
	Version    uint64
	CreateTime time.Time
}

func participantView(p *domain.ParticipantState) ParticipantView {
	return ParticipantView{ID: p.ID, Assessment: p.Assessment, Erased: p.Erased, Version: p.Version, CreateTime: p.CreateTime}
}

func lookupOffer(c *domain.Catalogue, id string) (*domain.OfferState, error) {
	o, ok := c.Offer(id)
	if !ok {
		return nil, apierr.NotFound("offer %s not found", id)
	}
	return o, nil
}

func lookupParticipant(c *domain.Catalogue, id string) (*domain.ParticipantState, error) {
	p, ok := c.Participant(id)
	if !ok {
		return nil, apierr.NotFound("participant %s not found", id)
	}
	return p, nil
}

// checkEtag refuses a change based on a stale read; an empty etag skips the check.
func checkEtag(what, etag string, version uint64) error {
	if etag != "" && etag != eventstore.FormatVersion(version) {
		return apierr.Aborted(eventstore.FormatVersion(version),
			"the %s changed since it was read (etag %s, current %d); read it again", what, etag, version)
	}
	return nil
}
