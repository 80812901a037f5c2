package domain

// The enumerations share their numbers with the API's enums, so the ports
// convert them with a plain type conversion.

// TopicField is a Handlungsfeld of the plan.
type TopicField int32

const (
	TopicFieldUnspecified TopicField = iota
	EducationAndLanguage
	LabourMarket
	Housing
	Leisure
)

var topicFieldLabels = map[TopicField]string{
	EducationAndLanguage: "Bildung und Sprache",
	LabourMarket:         "Arbeitsmarkt",
	Housing:              "Wohnen",
	Leisure:              "Freizeit",
}

// Valid reports whether f is one of the four topic fields.
func (f TopicField) Valid() bool { _, ok := topicFieldLabels[f]; return ok }

// Label is the German name.
func (f TopicField) Label() string { return topicFieldLabels[f] }

// TopicFields lists the topic fields in plan order.
func TopicFields() []TopicField {
	return []TopicField{EducationAndLanguage, LabourMarket, Housing, Leisure}
}

// CrossCuttingArea is a Querschnittsthema.
type CrossCuttingArea int32

const (
	CrossCuttingAreaUnspecified CrossCuttingArea = iota
	InformationAndCommunication
	Processes
	Volunteering
	Participation
	SelfInitiative
)

var areaLabels = map[CrossCuttingArea]string{
	InformationAndCommunication: "Information und Kommunikation",
	Processes:                   "Prozesse",
	Volunteering:                "Ehrenamt",
	Participation:               "Beteiligung",
	SelfInitiative:              "Eigeninitiative",
}

// Valid reports whether a is a known area.
func (a CrossCuttingArea) Valid() bool { _, ok := areaLabels[a]; return ok }

// Label is the German name.
func (a CrossCuttingArea) Label() string { return areaLabels[a] }

// ActorKind is the kind of an Akteur.
type ActorKind int32

const (
	ActorKindUnspecified ActorKind = iota
	County
	Municipality
	Chamber
	EmploymentAgency
	JobCentre
	EducationProvider
	WelfareOrganisation
	VolunteerInitiative
	Employer
)

var actorKindLabels = map[ActorKind]string{
	County:              "Landkreis",
	Municipality:        "Stadt oder Gemeinde",
	Chamber:             "Kammer",
	EmploymentAgency:    "Agentur für Arbeit",
	JobCentre:           "Jobcenter",
	EducationProvider:   "Bildungsträger",
	WelfareOrganisation: "Wohlfahrtsverband",
	VolunteerInitiative: "Ehrenamtliche Initiative",
	Employer:            "Arbeitgeber",
}

// Valid reports whether k is a known kind.
func (k ActorKind) Valid() bool { _, ok := actorKindLabels[k]; return ok }

// Label is the German name.
func (k ActorKind) Label() string { return actorKindLabels[k] }
