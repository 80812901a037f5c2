package service

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	"github.com/integrationsplan/integrationsplan/services/education/app"
	"github.com/integrationsplan/integrationsplan/services/education/domain"
)

// Beispieldaten: invented providers, offers and one invented participant.
// Every step has a fixed request ID (and the offers' and the participant's
// IDs derive from it), so seeding on every start writes each thing once and
// completes a seeding a crash interrupted.

const exampleMark = " (Beispieldaten)"

var exampleProviders = []domain.Provider{
	{ID: "vhs-backnang", Kind: domain.AdultEducationCentre, DisplayName: "Volkshochschule Backnang" + exampleMark, Municipality: "backnang"},
	{ID: "sprachschule-waiblingen", Kind: domain.LanguageSchool, DisplayName: "Sprachschule Waiblingen" + exampleMark, Municipality: "waiblingen"},
	{ID: "helferkreis-aspach", Kind: domain.VolunteerInitiative, DisplayName: "Helferkreis Asyl Aspach" + exampleMark, Municipality: "aspach"},
}

var (
	mondayToThursdayMorning = []domain.Slot{
		{Day: domain.Monday, Start: "08:30", End: "12:30"}, {Day: domain.Tuesday, Start: "08:30", End: "12:30"},
		{Day: domain.Wednesday, Start: "08:30", End: "12:30"}, {Day: domain.Thursday, Start: "08:30", End: "12:30"},
	}
	tuesdayEvening = []domain.Slot{{Day: domain.Tuesday, Start: "18:00", End: "20:00"}}
)

type exampleOffer struct {
	requestID string
	open      string // request ID of the step to OPEN; empty keeps it PLANNED
	offer     domain.Offer
}

var exampleOffers = []exampleOffer{
	{"2c5e0f6a-0000-4000-8000-000000000001", "2c5e0f6a-0000-4000-8000-000000000101", domain.Offer{
		Provider: "vhs-backnang", Title: "Integrationskurs A1–B1 vormittags" + exampleMark, Kind: domain.IntegrationCourseGeneral,
		EntryLevel: domain.A1, TargetLevel: domain.B1, Municipality: "backnang", Address: "Obere Bahnhofstraße 1, 71522 Backnang",
		Schedule: mondayToThursdayMorning, StartDate: "2027-01-11", EndDate: "2027-07-30", RegistrationDeadline: "2027-01-04",
		Capacity: 20, DirectBookings: 12, Childcare: true, SupportLanguages: []string{"ar", "fa"},
		Costs: "kostenfrei mit Berechtigung (BAMF)", Contact: "Anmeldung VHS Backnang, Telefon 07191 0000-0",
	}},
	{"2c5e0f6a-0000-4000-8000-000000000002", "2c5e0f6a-0000-4000-8000-000000000102", domain.Offer{
		Provider: "helferkreis-aspach", Title: "Deutsch für Anfänger am Vormittag" + exampleMark, Kind: domain.IntegrationCourseGeneral,
		EntryLevel: domain.A1, TargetLevel: domain.A2, Municipality: "aspach", Address: "Rathaus Aspach",
		Schedule: []domain.Slot{{Day: domain.Monday, Start: "09:00", End: "11:00"}}, StartDate: "2027-01-18", EndDate: "2027-06-28",
		Capacity: 3, Costs: "kostenfrei",
	}},
	{"2c5e0f6a-0000-4000-8000-000000000003", "", domain.Offer{
		Provider: "sprachschule-waiblingen", Title: "Berufssprachkurs B1–B2 abends" + exampleMark, Kind: domain.JobRelatedLanguageCourse,
		EntryLevel: domain.B1, TargetLevel: domain.B2, Municipality: "waiblingen", Address: "Bahnhofstraße 20, 71332 Waiblingen",
		Schedule: tuesdayEvening, StartDate: "2027-02-01", EndDate: "2027-09-30", Capacity: 16, Costs: "kostenfrei (BAMF-gefördert)",
	}},
	{"2c5e0f6a-0000-4000-8000-000000000004", "2c5e0f6a-0000-4000-8000-000000000104", domain.Offer{
		Provider: "helferkreis-aspach", Title: "Sprachcafé Aspach" + exampleMark, Kind: domain.LanguageCafe,
		EntryLevel: domain.A1, TargetLevel: domain.C2, Municipality: "aspach", Address: "Gemeindehaus Aspach",
		Schedule: tuesdayEvening, StartDate: "2026-09-01", EndDate: "2027-12-31", Capacity: 25, Childcare: true, Costs: "kostenfrei",
	}},
}

const (
	exampleParticipantRequest = "2c5e0f6a-0000-4000-8000-000000000201"
	exampleAssessmentRequest  = "2c5e0f6a-0000-4000-8000-000000000202"
)

// ExampleParticipantID is the pseudonym of the invented participant.
var ExampleParticipantID = domain.NewParticipantID(exampleParticipantRequest)

func seedExampleData(ctx context.Context, a *app.Service, log *slog.Logger) error {
	for i, p := range exampleProviders {
		req := eventstore.Request{ID: fmt.Sprintf("2c5e0f6a-0000-4000-8000-0000000003%02d", i), Fingerprint: "exampledata"}
		if _, err := a.CreateProvider(ctx, req, p); err != nil {
			return err
		}
	}
	offerIDs := make([]string, len(exampleOffers))
	for i, o := range exampleOffers {
		created, _, err := a.CreateOffer(ctx, domain.Unrestricted, eventstore.Request{ID: o.requestID, Fingerprint: "exampledata"}, o.offer)
		if err != nil {
			return err
		}
		offerIDs[i] = created.ID
		if o.open != "" {
			if _, err := a.SetOfferStatus(ctx, domain.Unrestricted, eventstore.Request{ID: o.open, Fingerprint: "exampledata"}, created.ID, domain.Open, ""); err != nil {
				return err
			}
		}
	}
	p, err := a.RegisterParticipant(ctx, eventstore.Request{ID: exampleParticipantRequest, Fingerprint: "exampledata"}, domain.PersonalData{
		GivenName: "Beispiel", FamilyName: "Teilnehmerin (Beispieldaten)", BirthYear: 1990,
	})
	if err != nil {
		return err
	}
	if _, err := a.RecordAssessment(ctx, eventstore.Request{ID: exampleAssessmentRequest, Fingerprint: "exampledata"}, p.ID, domain.Assessment{
		OverallLevel: domain.A1, Literacy: domain.Literate, SchoolingYears: 9, NeedsChildcare: true,
		Availability: []domain.Slot{{Day: domain.Monday, Start: "08:00", End: "13:00"}, {Day: domain.Tuesday, Start: "08:00", End: "13:00"}},
		Municipality: "backnang", Assessor: "vhs-backnang", AssessedOn: "2026-11-02",
	}, ""); err != nil {
		return err
	}
	if err := seedExampleReferrals(ctx, a, offerIDs[0]); err != nil {
		return err
	}
	log.Info("Beispieldaten geladen (example data)", "providers", len(exampleProviders), "offers", len(exampleOffers), "participant", p.ID)
	return nil
}

// exampleReferrals are two more invented participants, referred to the
// first example offer and moved along the lifecycle, so that the referral
// figures (dashboard, indicator 1.1) show something from the start.
var exampleReferrals = []struct {
	participant, assessment, referral string
	steps                             []exampleStep
}{
	{"2c5e0f6a-0000-4000-8000-000000000211", "2c5e0f6a-0000-4000-8000-000000000212", "2c5e0f6a-0000-4000-8000-000000000213", []exampleStep{
		{"2c5e0f6a-0000-4000-8000-000000000214", domain.Accepted}, {"2c5e0f6a-0000-4000-8000-000000000215", domain.Enrolled},
	}},
	{"2c5e0f6a-0000-4000-8000-000000000221", "2c5e0f6a-0000-4000-8000-000000000222", "2c5e0f6a-0000-4000-8000-000000000223", []exampleStep{
		{"2c5e0f6a-0000-4000-8000-000000000224", domain.Accepted},
	}},
}

// exampleStep is a referral's status change under its own request ID, so
// that a restart with example data repeats nothing.
type exampleStep struct {
	request string
	to      domain.ReferralStatus
}

func seedExampleReferrals(ctx context.Context, a *app.Service, offerID string) error {
	for i, r := range exampleReferrals {
		p, err := a.RegisterParticipant(ctx, eventstore.Request{ID: r.participant, Fingerprint: "exampledata"}, domain.PersonalData{
			GivenName: "Beispiel", FamilyName: fmt.Sprintf("Teilnehmer %d (Beispieldaten)", i+2), BirthYear: int32(1985 + i),
		})
		if err != nil {
			return err
		}
		if _, err := a.RecordAssessment(ctx, eventstore.Request{ID: r.assessment, Fingerprint: "exampledata"}, p.ID, domain.Assessment{
			OverallLevel: domain.A1, Literacy: domain.Literate, SchoolingYears: 10,
			Availability: []domain.Slot{{Day: domain.Monday, Start: "08:00", End: "13:00"}},
			Municipality: "backnang", Assessor: "vhs-backnang", AssessedOn: "2026-11-03",
		}, ""); err != nil {
			return err
		}
		ref, err := a.CreateReferral(ctx, domain.Unrestricted, eventstore.Request{ID: r.referral, Fingerprint: "exampledata"}, offerID, p.ID, "")
		if err != nil {
			return err
		}
		for _, step := range r.steps {
			req := eventstore.Request{ID: step.request, Fingerprint: "exampledata"}
			if _, _, err := a.SetReferralStatus(ctx, domain.Unrestricted, req, offerID, ref.ID, step.to, ""); err != nil {
				return err
			}
		}
	}
	return nil
}
