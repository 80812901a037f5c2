package domain_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	"github.com/integrationsplan/integrationsplan/services/education/domain"
)

var today = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)

func validOffer() domain.Offer {
	return domain.Offer{
		ID: domain.NewOfferID(""), Provider: "vhs-backnang", Title: "Integrationskurs", Kind: domain.IntegrationCourseGeneral,
		EntryLevel: domain.A1, TargetLevel: domain.B1, Municipality: "backnang",
		Schedule:  []domain.Slot{{Day: domain.Monday, Start: "09:00", End: "12:00"}},
		StartDate: "2027-01-11", EndDate: "2027-06-30", Capacity: 2,
	}
}

// fields asserts err is an invalid argument and returns its fields.
func fields(t *testing.T, err error) []string {
	t.Helper()
	e, ok := apierr.As(err)
	if !ok || e.Kind != apierr.KindInvalidArgument {
		t.Fatalf("got %v, want an invalid argument", err)
	}
	var out []string
	for _, v := range e.Violations {
		out = append(out, v.Field)
	}
	return out
}

func TestNewOfferValidation(t *testing.T) {
	if _, err := domain.NewOffer(validOffer()); err != nil {
		t.Fatalf("valid offer refused: %v", err)
	}
	cases := []struct {
		name  string
		mod   func(*domain.Offer)
		field string
	}{
		{"no title", func(o *domain.Offer) { o.Title = " " }, "title"},
		{"unknown kind", func(o *domain.Offer) { o.Kind = 99 }, "kind"},
		{"invalid entry level", func(o *domain.Offer) { o.EntryLevel = 8 }, "entry_level"},
		{"target below entry", func(o *domain.Offer) { o.TargetLevel = domain.Alpha }, "target_level"},
		{"bad municipality", func(o *domain.Offer) { o.Municipality = "Backnang" }, "municipality"},
		{"no schedule", func(o *domain.Offer) { o.Schedule = nil }, "schedule"},
		{"slot without day", func(o *domain.Offer) { o.Schedule[0].Day = 0 }, "schedule[0].weekday"},
		{"slot bad time", func(o *domain.Offer) { o.Schedule[0].Start = "9:00" }, "schedule[0].start_time"},
		{"slot ends before start", func(o *domain.Offer) { o.Schedule[0].End = "08:00" }, "schedule[0].end_time"},
		{"overlapping slots", func(o *domain.Offer) {
			o.Schedule = append(o.Schedule, domain.Slot{Day: domain.Monday, Start: "11:00", End: "13:00"})
		}, "schedule[1]"},
		{"bad start date", func(o *domain.Offer) { o.StartDate = "11.01.2027" }, "start_date"},
		{"end before start", func(o *domain.Offer) { o.EndDate = "2027-01-10" }, "end_date"},
		{"deadline after start", func(o *domain.Offer) { o.RegistrationDeadline = "2027-02-01" }, "registration_deadline"},
		{"zero capacity", func(o *domain.Offer) { o.Capacity = 0 }, "capacity"},
		{"negative capacity", func(o *domain.Offer) { o.Capacity = -3 }, "capacity"},
		{"booked over capacity", func(o *domain.Offer) { o.DirectBookings = 3 }, "direct_bookings"},
		{"negative bookings", func(o *domain.Offer) { o.DirectBookings = -1 }, "direct_bookings"},
		{"max age below min age", func(o *domain.Offer) { o.Eligibility = domain.Eligibility{MinAge: 30, MaxAge: 20} }, "eligibility.max_age"},
		{"bad language", func(o *domain.Offer) { o.SupportLanguages = []string{"arabic"} }, "support_languages[0]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := validOffer()
			o.Schedule = slices.Clone(o.Schedule)
			tc.mod(&o)
			_, err := domain.NewOffer(o)
			if got := fields(t, err); !slices.Contains(got, tc.field) {
				t.Fatalf("violations %v do not name %s", got, tc.field)
			}
		})
	}
}

func TestOfferStatusMachineOverAllPairs(t *testing.T) {
	allowed := map[[2]domain.OfferStatus]bool{
		{domain.Planned, domain.Open}: true, {domain.Planned, domain.Cancelled}: true,
		{domain.Open, domain.Running}: true, {domain.Open, domain.Cancelled}: true,
		{domain.Running, domain.Finished}: true, {domain.Running, domain.Cancelled}: true,
	}
	stored := []domain.OfferStatus{domain.Planned, domain.Open, domain.Running, domain.Finished, domain.Cancelled}
	for _, from := range stored {
		for to := domain.OfferStatusUnspecified; to <= domain.Cancelled+1; to++ {
			err := domain.DecideOfferStatus(from, to)
			switch {
			case to != domain.Open && to != domain.Running && to != domain.Finished && to != domain.Cancelled:
				if !apierr.IsKind(err, apierr.KindInvalidArgument) {
					t.Errorf("%v → %v: got %v, want invalid argument", from, to, err)
				}
			case allowed[[2]domain.OfferStatus{from, to}]:
				if err != nil {
					t.Errorf("%v → %v refused: %v", from, to, err)
				}
			default:
				e, ok := apierr.As(err)
				if !ok || e.Kind != apierr.KindFailedPrecondition || e.Metadata["from"] != from.String() || e.Metadata["to"] != to.String() {
					t.Errorf("%v → %v: got %v, want FAILED_PRECONDITION naming both", from, to, err)
				}
			}
		}
	}
}

// offerWith builds an OPEN offer of capacity seats through the catalogue, the
// way events do, with one referral per status in statuses.
func offerWith(t *testing.T, capacity int32, statuses ...domain.ReferralStatus) (*domain.Catalogue, *domain.OfferState) {
	t.Helper()
	c := domain.NewCatalogue()
	o := validOffer()
	o.Capacity = capacity
	c.AddOffer(o, 1, today)
	c.ChangeOfferStatus(o.ID, domain.Open, 2, today)
	for i, s := range statuses {
		p := domain.NewParticipantID("")
		c.AddParticipant(p, uint64(10+2*i), today)
		c.AddReferral(o.ID, domain.NewReferralID(""), p, s, uint64(11+2*i), today)
	}
	state, _ := c.Offer(o.ID)
	return c, state
}

func TestReferralMachineOverAllPairs(t *testing.T) {
	allowed := map[[2]domain.ReferralStatus]bool{
		{domain.Proposed, domain.Accepted}: true, {domain.Proposed, domain.Declined}: true, {domain.Proposed, domain.Dropped}: true,
		{domain.Accepted, domain.Enrolled}: true, {domain.Accepted, domain.Dropped}: true,
		{domain.Enrolled, domain.Completed}: true, {domain.Enrolled, domain.Dropped}: true,
		{domain.Waitlisted, domain.Declined}: true, {domain.Waitlisted, domain.Dropped}: true,
	}
	requestable := []domain.ReferralStatus{domain.Accepted, domain.Enrolled, domain.Completed, domain.Dropped, domain.Declined}
	for _, from := range domain.ReferralStatuses() {
		for to := domain.ReferralStatusUnspecified; to <= domain.Waitlisted+1; to++ {
			_, o := offerWith(t, 5, from)
			r := o.Referrals()[0]
			c, err := o.DecideReferral(r, to)
			switch {
			case !slices.Contains(requestable, to):
				if !apierr.IsKind(err, apierr.KindInvalidArgument) {
					t.Errorf("%v → %v: got %v, want invalid argument", from, to, err)
				}
			case allowed[[2]domain.ReferralStatus{from, to}]:
				if err != nil || c.From != from || c.To != to {
					t.Errorf("%v → %v: got %+v, %v", from, to, c, err)
				}
			default:
				e, ok := apierr.As(err)
				if !ok || e.Kind != apierr.KindFailedPrecondition || e.Metadata["from"] != from.String() || e.Metadata["to"] != to.String() {
					t.Errorf("%v → %v: got %v, want FAILED_PRECONDITION naming both", from, to, err)
				}
			}
		}
	}
}

func TestSeatsFollowTheLifecycle(t *testing.T) {
	c, o := offerWith(t, 2, domain.Enrolled, domain.Proposed, domain.Waitlisted, domain.Waitlisted)
	rs := o.Referrals()
	if o.Booked() != 1 || o.Free() != 1 || o.ShownStatus() != domain.Open {
		t.Fatalf("booked %d free %d status %v", o.Booked(), o.Free(), o.ShownStatus())
	}
	// Accepting takes the last seat; the offer shows FULL.
	ch, err := o.DecideReferral(rs[1], domain.Accepted)
	if err != nil || ch.To != domain.Accepted || ch.Promoted != nil {
		t.Fatalf("accept: %+v %v", ch, err)
	}
	c.ChangeReferral(o.ID, rs[1].ID, ch.To, "", 100, today)
	if o.Free() != 0 || o.ShownStatus() != domain.Full {
		t.Fatalf("free %d status %v", o.Free(), o.ShownStatus())
	}
	// A new referral to the full offer waits.
	p := domain.NewParticipantID("")
	c.AddParticipant(p, 101, today)
	pst, _ := c.Participant(p)
	if s, err := o.DecideNewReferral(pst); err != nil || s != domain.Waitlisted {
		t.Fatalf("new referral to a full offer: %v %v", s, err)
	}
	// Dropping frees the seat for the longest-waiting referral.
	ch, err = o.DecideReferral(rs[0], domain.Dropped)
	if err != nil || ch.Promoted == nil || ch.Promoted.ID != rs[2].ID {
		t.Fatalf("drop: %+v %v, want %s promoted", ch, err, rs[2].ID)
	}
	c.ChangeReferral(o.ID, rs[0].ID, ch.To, ch.Promoted.ID, 102, today)
	if o.Free() != 0 || rs[2].Status != domain.Accepted || o.WaitlistPosition(rs[3]) != 1 {
		t.Fatalf("after promotion: free %d, promoted %v, next position %d", o.Free(), rs[2].Status, o.WaitlistPosition(rs[3]))
	}
	// A waiting referral asked to be accepted when no seat is free waits on.
	if ch, err := o.DecideReferral(rs[3], domain.Dropped); err != nil || ch.Promoted != nil {
		t.Fatalf("dropping a waiting referral promotes nobody: %+v %v", ch, err)
	}
}

func TestAcceptingWhenFullWaitlists(t *testing.T) {
	_, o := offerWith(t, 1, domain.Enrolled, domain.Proposed)
	ch, err := o.DecideReferral(o.Referrals()[1], domain.Accepted)
	if err != nil || ch.To != domain.Waitlisted {
		t.Fatalf("got %+v %v, want WAITLISTED", ch, err)
	}
}

func TestPossibleDuplicate(t *testing.T) {
	n, err := domain.ParseNeighbours("backnang=aspach+oppenweiler")
	if err != nil {
		t.Fatal(err)
	}
	base := validOffer()
	cases := []struct {
		name string
		mod  func(*domain.Offer)
		want bool
	}{
		{"identical times and place", func(*domain.Offer) {}, true},
		{"neighbouring municipality", func(o *domain.Offer) { o.Municipality = "aspach" }, true},
		{"neighbours are symmetric", func(o *domain.Offer) { o.Municipality = "oppenweiler" }, true},
		{"far municipality", func(o *domain.Offer) { o.Municipality = "schorndorf" }, false},
		{"other kind", func(o *domain.Offer) { o.Kind = domain.IntegrationCourseWomen }, false},
		{"other entry level", func(o *domain.Offer) { o.EntryLevel = domain.A2 }, false},
		{"dates after", func(o *domain.Offer) { o.StartDate, o.EndDate = "2027-07-01", "2027-12-01" }, false},
		{"dates touching", func(o *domain.Offer) { o.StartDate, o.EndDate = "2027-06-30", "2027-12-01" }, true},
		{"other weekday", func(o *domain.Offer) { o.Schedule = []domain.Slot{{Day: domain.Tuesday, Start: "09:00", End: "12:00"}} }, false},
		{"adjacent hours", func(o *domain.Offer) { o.Schedule = []domain.Slot{{Day: domain.Monday, Start: "12:00", End: "14:00"}} }, false},
		{"overlapping hours", func(o *domain.Offer) { o.Schedule = []domain.Slot{{Day: domain.Monday, Start: "11:59", End: "14:00"}} }, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			other := validOffer()
			tc.mod(&other)
			reasons, got := domain.PossibleDuplicate(base, other, n)
			if got != tc.want {
				t.Fatalf("got %v (%v), want %v", got, reasons, tc.want)
			}
			if got && len(reasons) != 5 {
				t.Fatalf("reasons %v, want one per criterion", reasons)
			}
		})
	}
	if _, dup := domain.PossibleDuplicate(base, base, n); dup {
		t.Fatal("an offer duplicates itself")
	}
	// The reasons are German text: how the places relate (the offers name
	// them), dates as a German reader writes them.
	other := validOffer()
	other.Municipality, other.StartDate, other.EndDate = "aspach", "2027-02-01", "2027-09-30"
	reasons, _ := domain.PossibleDuplicate(base, other, n)
	for _, want := range []string{"benachbarte Kommunen", "Zeiträume überschneiden sich: 11.01.2027–30.06.2027 und 01.02.2027–30.09.2027"} {
		if !slices.Contains(reasons, want) {
			t.Errorf("reasons %q lack %q", reasons, want)
		}
	}
}

func TestParseNeighboursRefusesNonsense(t *testing.T) {
	for _, s := range []string{"backnang", "backnang=", "Backnang=aspach", "a=a", "a=b++c"} {
		if _, err := domain.ParseNeighbours(s); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
}

func assessment() domain.Assessment {
	return domain.Assessment{
		OverallLevel: domain.A1, Literacy: domain.Literate, Municipality: "backnang", Assessor: "vhs-backnang",
		Availability: []domain.Slot{{Day: domain.Monday, Start: "08:00", End: "13:00"}},
	}
}

func codes(rs []domain.Reason) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Code)
	}
	return out
}

func TestExplain(t *testing.T) {
	n, _ := domain.ParseNeighbours("backnang=aspach")
	cases := []struct {
		name     string
		modA     func(*domain.Assessment)
		modO     func(*domain.Offer)
		excluded bool
		code     string
		score    int
	}{
		{"perfect fit", nil, nil, false, "LEVEL_FITS", 100},
		{"entry below level", func(a *domain.Assessment) { a.OverallLevel = domain.A2 }, nil, false, "LEVEL_BELOW", 85},
		{"entry above level", func(a *domain.Assessment) { a.OverallLevel = domain.Alpha; a.Literacy = domain.Literate }, nil, true, "LEVEL_TOO_HIGH", 0},
		{"target reached", func(a *domain.Assessment) { a.OverallLevel = domain.B1 }, nil, true, "LEVEL_REACHED", 0},
		{"needs literacy", func(a *domain.Assessment) { a.Literacy = domain.NotLiterate }, nil, true, "LITERACY_NEEDED", 0},
		{"literacy course not needed", nil, func(o *domain.Offer) { o.Kind = domain.IntegrationCourseLiteracy }, true, "LITERACY_NOT_NEEDED", 0},
		{"neighbouring municipality", nil, func(o *domain.Offer) { o.Municipality = "aspach" }, false, "NEIGHBOURING_MUNICIPALITY", 85},
		{"unreachable", nil, func(o *domain.Offer) { o.Municipality = "schorndorf" }, true, "NOT_REACHABLE", 0},
		{"four fifths of the time fit", nil, func(o *domain.Offer) { o.Schedule[0].End = "14:00" }, false, "TIMES_FIT", 96},
		{"no common time", nil, func(o *domain.Offer) { o.Schedule = []domain.Slot{{Day: domain.Friday, Start: "18:00", End: "20:00"}} }, true, "NO_COMMON_TIME", 0},
		{"availability unknown", func(a *domain.Assessment) { a.Availability = nil }, nil, false, "AVAILABILITY_UNKNOWN", 90},
		{"needs childcare, none offered", func(a *domain.Assessment) { a.NeedsChildcare = true }, nil, true, "NO_CHILDCARE", 0},
		{"needs childcare, offered", func(a *domain.Assessment) { a.NeedsChildcare = true }, func(o *domain.Offer) { o.Childcare = true }, false, "CHILDCARE", 100},
		{"deadline passed", nil, func(o *domain.Offer) { o.RegistrationDeadline = "2026-11-24" }, true, "DEADLINE_PASSED", 0},
		{"full", nil, func(o *domain.Offer) { o.DirectBookings = o.Capacity }, false, "WAITLIST", 95},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, o := assessment(), validOffer()
			o.Schedule = slices.Clone(o.Schedule)
			if tc.modA != nil {
				tc.modA(&a)
			}
			if tc.modO != nil {
				tc.modO(&o)
			}
			c := domain.NewCatalogue()
			c.AddOffer(o, 1, today)
			state, _ := c.Offer(o.ID)
			e := domain.Explain(a, state, n, today)
			if e.Excluded != tc.excluded || !slices.Contains(codes(e.Reasons), tc.code) || e.Score != tc.score {
				t.Fatalf("got excluded=%v score=%d reasons %v, want excluded=%v score=%d with %s", e.Excluded, e.Score, codes(e.Reasons), tc.excluded, tc.score, tc.code)
			}
			for _, r := range e.Reasons {
				if r.Description == "" {
					t.Errorf("reason %s without description", r.Code)
				}
			}
		})
	}
}

func TestMatchOffersRanksBestFirst(t *testing.T) {
	n, _ := domain.ParseNeighbours("backnang=aspach")
	c := domain.NewCatalogue()
	near, far, closed := validOffer(), validOffer(), validOffer()
	near.Municipality, far.Municipality = "backnang", "aspach"
	c.AddOffer(far, 1, today)
	c.AddOffer(near, 2, today)
	c.AddOffer(closed, 3, today)
	c.ChangeOfferStatus(closed.ID, domain.Cancelled, 4, today)
	ranked, excluded := c.MatchOffers(assessment(), n, today)
	if len(ranked) != 2 || ranked[0].Offer.ID != near.ID || ranked[1].Offer.ID != far.ID || len(excluded) != 0 {
		t.Fatalf("ranked %v, excluded %v", ranked, excluded)
	}
}

func TestPersonalDataValidationNeverEchoesValues(t *testing.T) {
	_, err := domain.NewPersonalData(domain.PersonalData{GivenName: "Zeynep\x00", FamilyName: "", BirthYear: 2100, Phone: "call Zeynep", Email: "zeynep at example"}, 2026)
	got := fields(t, err)
	for _, f := range []string{"given_name", "family_name", "birth_year", "phone", "email"} {
		if !slices.Contains(got, f) {
			t.Errorf("violations %v do not name %s", got, f)
		}
	}
	if strings.Contains(strings.ToLower(err.Error()), "zeynep") {
		t.Fatalf("error %q echoes personal data", err)
	}
}

func TestNewAssessmentValidation(t *testing.T) {
	a, err := domain.NewAssessment(assessment(), today)
	if err != nil || a.AssessedOn != "2026-11-25" {
		t.Fatalf("valid assessment: %+v %v", a, err)
	}
	bad := assessment()
	bad.OverallLevel, bad.Literacy, bad.SchoolingYears, bad.Municipality, bad.AssessedOn = 0, 0, -1, "", "2026-12-01"
	bad.SkillLevels = []domain.SkillLevel{{Skill: 1, Level: domain.A1}, {Skill: 1, Level: domain.A2}}
	got := fields(t, func() error { _, err := domain.NewAssessment(bad, today); return err }())
	for _, f := range []string{"overall_level", "literacy", "schooling_years", "municipality", "assessed_on", "skill_levels[1].skill"} {
		if !slices.Contains(got, f) {
			t.Errorf("violations %v do not name %s", got, f)
		}
	}
}

func TestIDs(t *testing.T) {
	if a, b := domain.NewParticipantID(""), domain.NewParticipantID(""); a == b || !domain.ValidParticipantID(a) {
		t.Fatalf("random pseudonyms %s %s", a, b)
	}
	const req = "3f1c0d2e-6a7b-4c8d-9e0f-112233445566"
	if domain.NewOfferID(req) != domain.NewOfferID(req) || !domain.ValidOfferID(domain.NewOfferID(req)) {
		t.Fatal("an ID for a request ID is not stable")
	}
	if domain.ValidReferralID(domain.NewOfferID("")) {
		t.Fatal("an offer ID passes as a referral ID")
	}
}
