package domain

import (
	"net/mail"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
)

// PersonalData identifies a participant. It lives only in the erasable
// store: never in events, logs or error messages (violations below never
// echo a value).
type PersonalData struct {
	GivenName  string `json:"given_name"`
	FamilyName string `json:"family_name"`
	BirthYear  int32  `json:"birth_year"`
	Phone      string `json:"phone,omitempty"`
	Email      string `json:"email,omitempty"`
}

var phonePattern = regexp.MustCompile(`^\+?[0-9][0-9 /()-]{3,29}$`)

// NewPersonalData validates personal data; thisYear bounds the birth year.
func NewPersonalData(p PersonalData, thisYear int) (PersonalData, error) {
	var v apierr.Violations
	v.Text("given_name", p.GivenName, 1, 100, false)
	v.Text("family_name", p.FamilyName, 1, 100, false)
	if p.BirthYear < 1900 || int(p.BirthYear) > thisYear {
		v.Add("birth_year", "must be a year between 1900 and %d", thisYear)
	}
	if p.Phone != "" && !phonePattern.MatchString(p.Phone) {
		v.Add("phone", "must be a phone number of digits, spaces and + / ( ) -")
	}
	if p.Email != "" {
		if a, err := mail.ParseAddress(p.Email); err != nil || a.Address != p.Email {
			v.Add("email", "must be a plain e-mail address such as name@example.org")
		}
	}
	if err := v.Err(); err != nil {
		return PersonalData{}, err
	}
	p.GivenName, p.FamilyName = strings.TrimSpace(p.GivenName), strings.TrimSpace(p.FamilyName)
	return p, nil
}

// SkillLevel is the level of one skill.
type SkillLevel struct {
	Skill Skill
	Level Level
}

// Assessment is a Kompetenzfeststellung. It is pseudonymous: nothing in it
// identifies the person.
type Assessment struct {
	OverallLevel   Level
	SkillLevels    []SkillLevel
	Literacy       Literacy
	SchoolingYears int32
	Availability   []Slot
	NeedsChildcare bool
	Municipality   string
	// Assessor is the assessing organisation's ID, not a person.
	Assessor   string
	AssessedOn string
}

// NewAssessment validates an assessment; today (the county's date) is the
// default and the upper bound of AssessedOn.
func NewAssessment(a Assessment, today time.Time) (Assessment, error) {
	var v apierr.Violations
	if !a.OverallLevel.Valid() {
		v.Add("overall_level", "is required and must be a CEFR level (ALPHA, A1 … C2)")
	}
	var skills []Skill
	for i, s := range a.SkillLevels {
		f := "skill_levels[" + strconv.Itoa(i) + "]"
		switch {
		case !s.Skill.Valid():
			v.Add(f+".skill", "is required and must be LISTENING, READING, WRITING or SPEAKING")
		case slices.Contains(skills, s.Skill):
			v.Add(f+".skill", "is rated twice")
		}
		if !s.Level.Valid() {
			v.Add(f+".level", "is required and must be a CEFR level")
		}
		skills = append(skills, s.Skill)
	}
	if !a.Literacy.Valid() {
		v.Add("literacy", "is required: LITERATE, OTHER_SCRIPT or NOT_LITERATE")
	}
	if a.SchoolingYears < 0 || a.SchoolingYears > 25 {
		v.Add("schooling_years", "must be between 0 and 25, got %d", a.SchoolingYears)
	}
	checkSlots(&v, "availability", a.Availability)
	checkSlug(&v, "municipality", a.Municipality)
	checkSlug(&v, "assessor", a.Assessor)
	if a.AssessedOn == "" {
		a.AssessedOn = today.Format(time.DateOnly)
	} else if d, ok := parseDate(&v, "assessed_on", a.AssessedOn); ok && d.After(today) {
		v.Add("assessed_on", "must not be in the future")
	}
	if err := v.Err(); err != nil {
		return Assessment{}, err
	}
	return a, nil
}

// ParticipantState is a participant as the events describe it: a pseudonym
// and the newest assessment, never personal data.
type ParticipantState struct {
	ID         string
	Assessment *Assessment
	Erased     bool
	Version    uint64
	CreateTime time.Time

	// assessedAt is the version of the newest assessment; completedAt that
	// of the newest completed referral; holding counts the referrals holding
	// a seat in a course not yet completed. They say whether the
	// participant still waits for a place (gaps.go).
	assessedAt, completedAt uint64
	holding                 int
	// demand is the gap the participant counts in, if waiting.
	demand    GapKey
	demanding bool
}

// referralChanged keeps track of the participant's places.
func (p *ParticipantState) referralChanged(from, to ReferralStatus, version uint64) {
	if from == Accepted || from == Enrolled {
		p.holding--
	}
	if to == Accepted || to == Enrolled {
		p.holding++
	}
	if to == Completed {
		p.completedAt = version
	}
}

// Waiting reports whether the participant is assessed, not erased, and
// still without a place: no seat held, no course completed since the
// newest assessment.
func (p *ParticipantState) Waiting() bool {
	return p.Assessment != nil && !p.Erased && p.holding == 0 && p.completedAt <= p.assessedAt
}

// CheckActive refuses changes to an erased participant.
func (p *ParticipantState) CheckActive() error {
	if p.Erased {
		return apierr.FailedPrecondition("PARTICIPANT_ERASED", map[string]string{"participant": p.ID},
			"participant %s was erased and takes no new assessments or referrals", p.ID)
	}
	return nil
}
