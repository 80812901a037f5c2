// Package domain holds the education service's entities, state machines and
// rules: the offers catalogue, duplicate detection, pseudonymous participants
// with their assessments, matching and referrals. It knows no gRPC and no NATS.
package domain

// The enumerations share their numbers with the API's enums, so the ports
// convert them with a plain type conversion.

// Level is a CEFR level, with Alpha (literacy) below A1; the order of the
// constants is the order of the levels.
type Level int32

const (
	LevelUnspecified Level = iota
	Alpha
	A1
	A2
	B1
	B2
	C1
	C2
)

var levelNames = map[Level]string{Alpha: "Alpha", A1: "A1", A2: "A2", B1: "B1", B2: "B2", C1: "C1", C2: "C2"}

// Valid reports whether l is a known level.
func (l Level) Valid() bool { _, ok := levelNames[l]; return ok }

// String is the usual name, e.g. B1.
func (l Level) String() string { return levelNames[l] }

// OfferKind is the kind of an education or language offer.
type OfferKind int32

const (
	OfferKindUnspecified OfferKind = iota
	IntegrationCourseGeneral
	IntegrationCourseYouth
	IntegrationCourseParents
	IntegrationCourseWomen
	IntegrationCourseLiteracy
	IntegrationCourseIntensive
	JobRelatedLanguageCourse
	InitialOrientationCourse
	VolunteerCourse
	LanguageCafe
)

var offerKindLabels = map[OfferKind]string{
	IntegrationCourseGeneral:   "Allgemeiner Integrationskurs",
	IntegrationCourseYouth:     "Jugendintegrationskurs",
	IntegrationCourseParents:   "Elternintegrationskurs",
	IntegrationCourseWomen:     "Frauenintegrationskurs",
	IntegrationCourseLiteracy:  "Integrationskurs mit Alphabetisierung",
	IntegrationCourseIntensive: "Intensivkurs",
	JobRelatedLanguageCourse:   "Berufsbezogener Sprachkurs",
	InitialOrientationCourse:   "Erstorientierungskurs",
	VolunteerCourse:            "Ehrenamtlicher Sprachkurs",
	LanguageCafe:               "Sprachcafé",
}

// Valid reports whether k is a known kind.
func (k OfferKind) Valid() bool { _, ok := offerKindLabels[k]; return ok }

// Label is the German name.
func (k OfferKind) Label() string { return offerKindLabels[k] }

// ProviderKind is the kind of a provider (Bildungsträger).
type ProviderKind int32

const (
	ProviderKindUnspecified ProviderKind = iota
	AdultEducationCentre
	LanguageSchool
	VolunteerInitiative
	WelfareOrganisation
	OtherProvider
)

// Valid reports whether k is a known kind.
func (k ProviderKind) Valid() bool { return k >= AdultEducationCentre && k <= OtherProvider }

// Weekday is a day of the week, Monday first (ISO 8601).
type Weekday int32

const (
	WeekdayUnspecified Weekday = iota
	Monday
	Tuesday
	Wednesday
	Thursday
	Friday
	Saturday
	Sunday
)

var weekdayLabels = [...]string{"", "Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"}

// Valid reports whether d is a day of the week.
func (d Weekday) Valid() bool { return d >= Monday && d <= Sunday }

// Label is the German abbreviation, e.g. Mo.
func (d Weekday) Label() string {
	if !d.Valid() {
		return ""
	}
	return weekdayLabels[d]
}

// ResidenceStatus is a residence-status category an offer may be limited to.
type ResidenceStatus int32

// Valid reports whether r is a known category.
func (r ResidenceStatus) Valid() bool { return r >= 1 && r <= 5 }

// Literacy says whether a participant reads and writes the Latin script.
type Literacy int32

const (
	LiteracyUnspecified Literacy = iota
	Literate
	OtherScript
	NotLiterate
)

// Valid reports whether l is a known literacy.
func (l Literacy) Valid() bool { return l >= Literate && l <= NotLiterate }

// NeedsLiteracyCourse reports whether the participant must first learn the Latin script.
func (l Literacy) NeedsLiteracyCourse() bool { return l == OtherScript || l == NotLiterate }

// Skill is a language skill an assessment may rate separately.
type Skill int32

// Valid reports whether s is a known skill.
func (s Skill) Valid() bool { return s >= 1 && s <= 4 }
