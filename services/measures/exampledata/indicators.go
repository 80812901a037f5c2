package exampledata

import "github.com/integrationsplan/integrationsplan/services/measures/domain"

// ExampleIndicator is an invented indicator. RequestID makes defining it
// idempotent.
type ExampleIndicator struct {
	RequestID string
	Indicator domain.Indicator
	// Rule as written, with filters as text; nil for a manual indicator.
	Terms      []domain.RawTerm
	Cumulative bool
}

// Event types the example rules read.
const (
	eduOfferCreated          = "integration.education.v1.OfferCreated"
	eduOfferStatusChanged    = "integration.education.v1.OfferStatusChanged"
	eduOfferChanged          = "integration.education.v1.OfferChanged"
	eduAssessmentRecorded    = "integration.education.v1.AssessmentRecorded"
	eduReferralCreated       = "integration.education.v1.ReferralCreated"
	eduReferralStatusChanged = "integration.education.v1.ReferralStatusChanged"
	labCaseOpened            = "integration.labour.v1.CaseOpened"
	labCaseClosed            = "integration.labour.v1.CaseClosed"
	labOrientationHeld       = "integration.labour.v1.OrientationEventHeld"
)

// Groups of promotions from the waiting list.
const (
	referralAccepted   = "REFERRAL_STATUS_ACCEPTED"
	referralWaitlisted = "REFERRAL_STATUS_WAITLISTED"
)

func ind(measure, id, name, unit string, rollUp domain.RollUp, baseline, target float64, targetDate string) domain.Indicator {
	return domain.Indicator{
		Measure: domain.MeasureID(measure), ID: domain.IndicatorID(id), DisplayName: name, Unit: unit,
		Baseline: baseline, BaselineDate: "2017-05-08", Target: target, TargetDate: targetDate, RollUp: rollUp,
	}
}

// EducationIndicators are derived from the education service's events.
var EducationIndicators = []ExampleIndicator{
	{
		// 1.3: offers in the catalogue per municipality, published minus
		// cancelled; a cancellation counts for the municipality of the
		// offer's creation.
		RequestID: "9b1c1e0a-0000-4000-8000-000000000101",
		Indicator: ind("m-1-3", "angebote-im-katalog", "Angebote im Katalog", "Angebote", domain.RollUpLatest, 0, 120, "2026-12-31"),
		Terms: []domain.RawTerm{
			{EventType: eduOfferCreated, Aggregation: domain.Count, GroupBy: "municipality"},
			{EventType: eduOfferStatusChanged, Filters: []string{"to_status = OFFER_STATUS_CANCELLED"}, Aggregation: domain.Count, Subtract: true},
		},
		Cumulative: true,
	},
	{
		// 1.2: participants assessed in the period, by municipality of residence.
		RequestID: "9b1c1e0a-0000-4000-8000-000000000102",
		Indicator: ind("m-1-2", "teilnehmende-eingestuft", "Teilnehmende mit Einstufung", "Personen", domain.RollUpSum, 0, 400, "2026-12-31"),
		Terms: []domain.RawTerm{
			{EventType: eduAssessmentRecorded, Aggregation: domain.CountDistinct, Field: "participant_id", GroupBy: "assessment.municipality"},
		},
	},
	{
		// 1.1: referrals by their current status at the end of the period.
		// A referral promoted from the waiting list has no status change of
		// its own: the drop or the offer change that freed its seat names it.
		RequestID: "9b1c1e0a-0000-4000-8000-000000000103",
		Indicator: ind("m-1-1", "vermittlungen-nach-status", "Vermittlungen nach Status", "Vermittlungen", domain.RollUpLatest, 0, 300, "2026-12-31"),
		Terms: []domain.RawTerm{
			{EventType: eduReferralCreated, Aggregation: domain.Count, GroupBy: "status"},
			{EventType: eduReferralStatusChanged, Aggregation: domain.Count, GroupBy: "to_status"},
			{EventType: eduReferralStatusChanged, Aggregation: domain.Count, GroupBy: "from_status", Subtract: true},
			{EventType: eduReferralStatusChanged, Filters: []string{"promoted_referral_id is set"}, Aggregation: domain.Count, Group: referralAccepted},
			{EventType: eduReferralStatusChanged, Filters: []string{"promoted_referral_id is set"}, Aggregation: domain.Count, Group: referralWaitlisted, Subtract: true},
			{EventType: eduOfferChanged, Aggregation: domain.CountElements, Field: "promoted_referral_ids", Group: referralAccepted},
			{EventType: eduOfferChanged, Aggregation: domain.CountElements, Field: "promoted_referral_ids", Group: referralWaitlisted, Subtract: true},
		},
		Cumulative: true,
	},
}

// LabourIndicators are derived from the labour service's events.
var LabourIndicators = []ExampleIndicator{
	{
		// 2.5: cases closed with employment or an apprenticeship.
		RequestID: "9b1c1e0a-0000-4000-8000-000000000201",
		Indicator: ind("m-2-5", "vermittlungen-in-arbeit-oder-ausbildung", "Vermittlungen in Arbeit oder Ausbildung", "Fälle", domain.RollUpSum, 0, 150, "2026-12-31"),
		Terms: []domain.RawTerm{
			{EventType: labCaseClosed, Filters: []string{"outcome = OUTCOME_EMPLOYMENT"}, Aggregation: domain.Count},
			{EventType: labCaseClosed, Filters: []string{"outcome = OUTCOME_APPRENTICESHIP"}, Aggregation: domain.Count},
		},
	},
	{
		// 2.5: median days from opening a case to closing it with
		// employment or an apprenticeship, over the cases closed so.
		RequestID: "9b1c1e0a-0000-4000-8000-000000000204",
		Indicator: ind("m-2-5", "tage-bis-vermittlung", "Tage bis zur Vermittlung (Median)", "Tage", domain.RollUpAverage, 0, 180, "2026-12-31"),
		Terms: []domain.RawTerm{
			{EventType: labCaseClosed, Filters: []string{"outcome = OUTCOME_EMPLOYMENT"}, Aggregation: domain.MedianDays, Since: labCaseOpened},
			{EventType: labCaseClosed, Filters: []string{"outcome = OUTCOME_APPRENTICESHIP"}, Aggregation: domain.MedianDays, Since: labCaseOpened},
		},
	},
	{
		// 2.3: orientation events held in shared accommodation.
		RequestID: "9b1c1e0a-0000-4000-8000-000000000202",
		Indicator: ind("m-2-3", "orientierungsveranstaltungen", "Orientierungsveranstaltungen", "Veranstaltungen", domain.RollUpSum, 0, 40, "2026-12-31"),
		Terms:     []domain.RawTerm{{EventType: labOrientationHeld, Aggregation: domain.Count}},
	},
	{
		// 2.3: total attendance of those events.
		RequestID: "9b1c1e0a-0000-4000-8000-000000000203",
		Indicator: ind("m-2-3", "teilnahmen-orientierung", "Teilnahmen an Orientierungsveranstaltungen", "Teilnahmen", domain.RollUpSum, 0, 600, "2026-12-31"),
		Terms:     []domain.RawTerm{{EventType: labOrientationHeld, Aggregation: domain.Sum, Field: "attendance"}},
	},
}

// ManualIndicators are entered by hand, with invented values.
var ManualIndicators = []ExampleIndicator{
	{
		// 1.6: teaching material packages handed to volunteer language helpers.
		RequestID: "9b1c1e0a-0000-4000-8000-000000000301",
		Indicator: ind("m-1-6", "materialpakete", "Ausgegebene Materialpakete für Sprachhelfer", "Pakete", domain.RollUpSum, 0, 200, "2025-12-31"),
	},
}

// ManualValue is an invented value of a manual indicator.
type ManualValue struct {
	RequestID string
	Measure   string
	Indicator string
	Period    string
	Value     float64
	Source    string
	AsOf      string
}

// ManualValues are recorded in this order.
var ManualValues = []ManualValue{
	{"9b1c1e0a-0000-4000-8000-000000000311", "m-1-6", "materialpakete", "2024-Q1", 18, "Ausgabeliste Koordinierungsstelle (Beispiel)", "2024-04-05"},
	{"9b1c1e0a-0000-4000-8000-000000000312", "m-1-6", "materialpakete", "2024-Q2", 25, "Ausgabeliste Koordinierungsstelle (Beispiel)", "2024-07-04"},
}
