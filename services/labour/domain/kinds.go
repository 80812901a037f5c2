package domain

// The enumerations share their numbers with the API's enums, so the ports
// and adapters convert them with a plain type conversion.

// CaseState tells whether a case is still being worked on.
type CaseState int32

const (
	CaseStateUnspecified CaseState = iota
	Open
	Closed
)

// Valid reports whether s is a known state.
func (s CaseState) Valid() bool { return s == Open || s == Closed }

// Outcome is how a case ended.
type Outcome int32

const (
	OutcomeUnspecified Outcome = iota
	Employment
	Apprenticeship
	FurtherEducation
	MovedAway
	Discontinued
)

// Outcomes lists every outcome.
func Outcomes() []Outcome {
	return []Outcome{Employment, Apprenticeship, FurtherEducation, MovedAway, Discontinued}
}

// Valid reports whether o is a known outcome.
func (o Outcome) Valid() bool { return o >= Employment && o <= Discontinued }

// Placement reports whether o is a placement: a job or an apprenticeship.
func (o Outcome) Placement() bool { return o == Employment || o == Apprenticeship }

// StepBackReason is why a case went back a stage: a code, so no free text
// (which could hold personal data) reaches the event stream.
type StepBackReason int32

const (
	StepBackReasonUnspecified StepBackReason = iota
	ReasonLanguageLevel
	ReasonRecognitionPending
	ReasonTrialEnded
	ReasonPlacementEnded
	ReasonCorrection
	ReasonOther
)

// Valid reports whether r is a known reason.
func (r StepBackReason) Valid() bool { return r >= ReasonLanguageLevel && r <= ReasonOther }

// ReferralState is the state of a course referral requested from education.
type ReferralState int32

const (
	ReferralStateUnspecified ReferralState = iota
	ReferralPending
	ReferralCreated
	ReferralFailed
)

// CourseStatus is a referral's status in the education service; the
// numbers are education's.
type CourseStatus int32

const (
	CourseStatusUnspecified CourseStatus = iota
	CourseProposed
	CourseAccepted
	CourseEnrolled
	CourseCompleted
	CourseDropped
	CourseDeclined
	CourseWaitlisted
)

// OccupationalField is the field of a pilot project (measure 2.6).
type OccupationalField int32

const (
	OccupationalFieldUnspecified OccupationalField = iota
	Care
	Crafts
	Logistics
	Hospitality
	Industry
	Retail
	Agriculture
	OtherField
)

// Valid reports whether f is a known field.
func (f OccupationalField) Valid() bool { return f >= Care && f <= OtherField }
