package dashboard

import (
	"math"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // Europe/Berlin also in images without a zoneinfo database

	edu "github.com/integrationsplan/integrationsplan/proto/integration/education/v1"
	lab "github.com/integrationsplan/integrationsplan/proto/integration/labour/v1"
	mpb "github.com/integrationsplan/integrationsplan/proto/integration/measures/v1"
)

// berlin is the county's time zone; every time is shown in it.
var berlin = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		return time.UTC
	}
	return loc
}()

// statusInfo is how an adoption status is shown: a label, a symbol that
// tells it apart without colour, and the CSS class that colours it.
type statusInfo struct {
	Label, Symbol, Class string
}

// adoptionStatuses lists the statuses in the plan's order.
var adoptionStatuses = []mpb.AdoptionStatus{
	mpb.AdoptionStatus_ADOPTION_STATUS_OFFERED,
	mpb.AdoptionStatus_ADOPTION_STATUS_CONSIDERING,
	mpb.AdoptionStatus_ADOPTION_STATUS_ADOPTED,
	mpb.AdoptionStatus_ADOPTION_STATUS_IN_PROGRESS,
	mpb.AdoptionStatus_ADOPTION_STATUS_PAUSED,
	mpb.AdoptionStatus_ADOPTION_STATUS_IMPLEMENTED,
	mpb.AdoptionStatus_ADOPTION_STATUS_DECLINED,
}

var adoptionInfo = map[mpb.AdoptionStatus]statusInfo{
	mpb.AdoptionStatus_ADOPTION_STATUS_OFFERED:     {"Angeboten", "○", "st-offered"},
	mpb.AdoptionStatus_ADOPTION_STATUS_CONSIDERING: {"In Prüfung", "?", "st-considering"},
	mpb.AdoptionStatus_ADOPTION_STATUS_ADOPTED:     {"Beschlossen", "●", "st-adopted"},
	mpb.AdoptionStatus_ADOPTION_STATUS_IN_PROGRESS: {"In Umsetzung", "▶", "st-progress"},
	mpb.AdoptionStatus_ADOPTION_STATUS_PAUSED:      {"Pausiert", "Ⅱ", "st-paused"},
	mpb.AdoptionStatus_ADOPTION_STATUS_IMPLEMENTED: {"Umgesetzt", "✓", "st-implemented"},
	mpb.AdoptionStatus_ADOPTION_STATUS_DECLINED:    {"Abgelehnt", "✗", "st-declined"},
}

func adoption(s mpb.AdoptionStatus) statusInfo {
	if i, ok := adoptionInfo[s]; ok {
		return i
	}
	return statusInfo{"Unbekannt", "–", "st-offered"}
}

// statusKey is an adoption status's short name, e.g. IN_PROGRESS, as the
// events carry it without the prefix.
func statusKey(s mpb.AdoptionStatus) string {
	return strings.TrimPrefix(s.String(), "ADOPTION_STATUS_")
}

var topicFields = map[mpb.TopicField]string{
	mpb.TopicField_TOPIC_FIELD_EDUCATION_AND_LANGUAGE: "Bildung und Sprache",
	mpb.TopicField_TOPIC_FIELD_LABOUR_MARKET:          "Arbeitsmarkt",
	mpb.TopicField_TOPIC_FIELD_HOUSING:                "Wohnen",
	mpb.TopicField_TOPIC_FIELD_LEISURE:                "Freizeit",
}

func topicField(f mpb.TopicField) string {
	if l, ok := topicFields[f]; ok {
		return l
	}
	return "Ohne Handlungsfeld"
}

var crossCutting = map[mpb.CrossCuttingArea]string{
	mpb.CrossCuttingArea_CROSS_CUTTING_AREA_INFORMATION_AND_COMMUNICATION: "Information und Kommunikation",
	mpb.CrossCuttingArea_CROSS_CUTTING_AREA_PROCESSES:                     "Prozesse",
	mpb.CrossCuttingArea_CROSS_CUTTING_AREA_VOLUNTEERING:                  "Ehrenamt",
	mpb.CrossCuttingArea_CROSS_CUTTING_AREA_PARTICIPATION:                 "Beteiligung",
	mpb.CrossCuttingArea_CROSS_CUTTING_AREA_SELF_INITIATIVE:               "Eigeninitiative",
}

var actorKinds = map[mpb.ActorKind]string{
	mpb.ActorKind_ACTOR_KIND_COUNTY:               "Landkreis",
	mpb.ActorKind_ACTOR_KIND_MUNICIPALITY:         "Stadt oder Gemeinde",
	mpb.ActorKind_ACTOR_KIND_CHAMBER:              "Kammer",
	mpb.ActorKind_ACTOR_KIND_EMPLOYMENT_AGENCY:    "Agentur für Arbeit",
	mpb.ActorKind_ACTOR_KIND_JOB_CENTRE:           "Jobcenter",
	mpb.ActorKind_ACTOR_KIND_EDUCATION_PROVIDER:   "Bildungsträger",
	mpb.ActorKind_ACTOR_KIND_WELFARE_ORGANISATION: "Wohlfahrtsverband",
	mpb.ActorKind_ACTOR_KIND_VOLUNTEER_INITIATIVE: "Ehrenamtliche Initiative",
	mpb.ActorKind_ACTOR_KIND_EMPLOYER:             "Arbeitgeber",
}

var cefrLevels = []edu.CefrLevel{
	edu.CefrLevel_CEFR_LEVEL_ALPHA, edu.CefrLevel_CEFR_LEVEL_A1, edu.CefrLevel_CEFR_LEVEL_A2, edu.CefrLevel_CEFR_LEVEL_B1,
	edu.CefrLevel_CEFR_LEVEL_B2, edu.CefrLevel_CEFR_LEVEL_C1, edu.CefrLevel_CEFR_LEVEL_C2,
}

func cefr(l edu.CefrLevel) string {
	if l == edu.CefrLevel_CEFR_LEVEL_ALPHA {
		return "Alpha"
	}
	if l == edu.CefrLevel_CEFR_LEVEL_UNSPECIFIED {
		return "ohne Angabe"
	}
	return strings.TrimPrefix(l.String(), "CEFR_LEVEL_")
}

var offerKinds = map[edu.OfferKind]string{
	edu.OfferKind_OFFER_KIND_INTEGRATION_COURSE_GENERAL:   "Integrationskurs",
	edu.OfferKind_OFFER_KIND_INTEGRATION_COURSE_YOUTH:     "Jugendintegrationskurs",
	edu.OfferKind_OFFER_KIND_INTEGRATION_COURSE_PARENTS:   "Elternintegrationskurs",
	edu.OfferKind_OFFER_KIND_INTEGRATION_COURSE_WOMEN:     "Frauenintegrationskurs",
	edu.OfferKind_OFFER_KIND_INTEGRATION_COURSE_LITERACY:  "Alphabetisierungskurs",
	edu.OfferKind_OFFER_KIND_INTEGRATION_COURSE_INTENSIVE: "Intensivkurs",
	edu.OfferKind_OFFER_KIND_JOB_RELATED_LANGUAGE_COURSE:  "Berufssprachkurs",
	edu.OfferKind_OFFER_KIND_INITIAL_ORIENTATION_COURSE:   "Erstorientierungskurs",
	edu.OfferKind_OFFER_KIND_VOLUNTEER_COURSE:             "Ehrenamtlicher Sprachkurs",
	edu.OfferKind_OFFER_KIND_LANGUAGE_CAFE:                "Sprachcafé",
}

var offerStatuses = map[edu.OfferStatus]string{
	edu.OfferStatus_OFFER_STATUS_PLANNED:   "Geplant",
	edu.OfferStatus_OFFER_STATUS_OPEN:      "Offen",
	edu.OfferStatus_OFFER_STATUS_FULL:      "Ausgebucht",
	edu.OfferStatus_OFFER_STATUS_RUNNING:   "Läuft",
	edu.OfferStatus_OFFER_STATUS_FINISHED:  "Beendet",
	edu.OfferStatus_OFFER_STATUS_CANCELLED: "Abgesagt",
}

var referralStatuses = []edu.ReferralStatus{
	edu.ReferralStatus_REFERRAL_STATUS_PROPOSED, edu.ReferralStatus_REFERRAL_STATUS_WAITLISTED,
	edu.ReferralStatus_REFERRAL_STATUS_ACCEPTED, edu.ReferralStatus_REFERRAL_STATUS_ENROLLED,
	edu.ReferralStatus_REFERRAL_STATUS_COMPLETED, edu.ReferralStatus_REFERRAL_STATUS_DROPPED,
	edu.ReferralStatus_REFERRAL_STATUS_DECLINED,
}

var referralLabels = map[edu.ReferralStatus]string{
	edu.ReferralStatus_REFERRAL_STATUS_PROPOSED:   "Vorgeschlagen",
	edu.ReferralStatus_REFERRAL_STATUS_ACCEPTED:   "Angenommen",
	edu.ReferralStatus_REFERRAL_STATUS_ENROLLED:   "Angemeldet",
	edu.ReferralStatus_REFERRAL_STATUS_COMPLETED:  "Abgeschlossen",
	edu.ReferralStatus_REFERRAL_STATUS_DROPPED:    "Abgebrochen",
	edu.ReferralStatus_REFERRAL_STATUS_DECLINED:   "Vom Träger abgelehnt",
	edu.ReferralStatus_REFERRAL_STATUS_WAITLISTED: "Warteliste",
}

var outcomes = map[lab.Outcome]string{
	lab.Outcome_OUTCOME_EMPLOYMENT:        "Arbeitsaufnahme",
	lab.Outcome_OUTCOME_APPRENTICESHIP:    "Ausbildung",
	lab.Outcome_OUTCOME_FURTHER_EDUCATION: "Weiterbildung, Schule, Studium",
	lab.Outcome_OUTCOME_MOVED_AWAY:        "Weggezogen",
	lab.Outcome_OUTCOME_DISCONTINUED:      "Abgebrochen",
}

var occupationalFields = map[lab.OccupationalField]string{
	lab.OccupationalField_OCCUPATIONAL_FIELD_CARE:        "Pflege",
	lab.OccupationalField_OCCUPATIONAL_FIELD_CRAFTS:      "Handwerk",
	lab.OccupationalField_OCCUPATIONAL_FIELD_LOGISTICS:   "Logistik",
	lab.OccupationalField_OCCUPATIONAL_FIELD_HOSPITALITY: "Gastronomie und Hotellerie",
	lab.OccupationalField_OCCUPATIONAL_FIELD_INDUSTRY:    "Industrie",
	lab.OccupationalField_OCCUPATIONAL_FIELD_RETAIL:      "Handel",
	lab.OccupationalField_OCCUPATIONAL_FIELD_AGRICULTURE: "Landwirtschaft und Gartenbau",
	lab.OccupationalField_OCCUPATIONAL_FIELD_OTHER:       "Sonstige",
}

func label[K comparable](m map[K]string, k K) string {
	if l, ok := m[k]; ok {
		return l
	}
	return "ohne Angabe"
}

// lowerWords stay lower case in municipality names.
var lowerWords = map[string]bool{"am": true, "an": true, "im": true, "in": true, "der": true, "bei": true, "ob": true, "unter": true}

// municipality turns a municipality ID (e.g. remseck-am-neckar) into its
// name (Remseck am Neckar).
func municipality(id string) string {
	if id == "" {
		return "ohne Ort"
	}
	words := strings.Split(id, "-")
	for i, w := range words {
		if w == "" || (i > 0 && lowerWords[w]) {
			continue
		}
		r := []rune(w)
		words[i] = strings.ToUpper(string(r[0])) + string(r[1:])
	}
	return strings.Join(words, " ")
}

// lastPart is the ID at the end of a resource name (actors/backnang →
// backnang).
func lastPart(name string) string {
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		return name[i+1:]
	}
	return name
}

// number formats an integer the German way (1.234).
func number(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// decimal formats f with one decimal and a decimal comma (42,5).
func decimal(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "–"
	}
	return strings.Replace(strconv.FormatFloat(f, 'f', 1, 64), ".", ",", 1)
}

// amount formats a measured value: whole numbers without decimals.
func amount(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return number(int(f))
	}
	return decimal(f)
}

// percent formats a share 0–1 as "42,5 %".
func percent(share float64) string { return decimal(share*100) + " %" }

// dateTime formats a time in Berlin, e.g. 08.05.2017, 14:03.
func dateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(berlin).Format("02.01.2006, 15:04")
}

// date turns YYYY-MM-DD into DD.MM.YYYY; anything else stays as it is.
func date(s string) string {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return s
	}
	return t.Format("02.01.2006")
}
