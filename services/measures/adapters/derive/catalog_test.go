package derive_test

import (
	"strings"
	"testing"

	"github.com/integrationsplan/integrationsplan/services/measures/adapters/derive"
	"github.com/integrationsplan/integrationsplan/services/measures/domain"
)

// The catalog reads the linked protobuf descriptors of the source services.
func TestCatalog(t *testing.T) {
	c := derive.NewCatalog("education", "labour")
	if s, err := c.Source("integration.education.v1.OfferCreated"); err != nil || s != "INTEGRATION_EDUCATION" {
		t.Errorf("OfferCreated: %q %v", s, err)
	}
	if s, err := c.Source("integration.labour.v1.CaseClosed"); err != nil || s != "INTEGRATION_LABOUR" {
		t.Errorf("CaseClosed: %q %v", s, err)
	}
	for _, bad := range []string{"", "OfferCreated", "integration.education.v1.Offer", "integration.measures.v1.MeasureCreated", "google.protobuf.Timestamp"} {
		if _, err := c.Source(bad); err == nil {
			t.Errorf("%q accepted as an event type", bad)
		}
	}
	if _, err := derive.NewCatalog("education").Source("integration.labour.v1.CaseClosed"); err == nil {
		t.Error("a catalog without labour knows its events")
	}

	fields := map[string]domain.FieldKind{
		"municipality":        domain.FieldString,
		"capacity":            domain.FieldInt,
		"childcare":           domain.FieldBool,
		"kind":                domain.FieldEnum,
		"eligibility.min_age": domain.FieldInt,
	}
	for path, kind := range fields {
		info, err := c.Field("integration.education.v1.OfferCreated", path)
		if err != nil || info.Kind != kind {
			t.Errorf("%s: %+v %v", path, info, err)
		}
	}
	info, err := c.Field("integration.education.v1.AssessmentRecorded", "assessment.municipality")
	if err != nil || info.Kind != domain.FieldString {
		t.Errorf("nested: %+v %v", info, err)
	}
	info, err = c.Field("integration.education.v1.OfferStatusChanged", "to_status")
	if err != nil || info.EnumValues[6] != "OFFER_STATUS_CANCELLED" {
		t.Errorf("enum: %+v %v", info, err)
	}
	for path, want := range map[string]string{
		"town":              "has no field",
		"schedule":          "is a list",
		"support_languages": "is a list",
		"municipality.name": "is not a message",
		"":                  "is empty",
		"eligibility":       "is a message",
	} {
		if _, err := c.Field("integration.education.v1.OfferCreated", path); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", path, err, want)
		}
	}

	// COUNT_ELEMENTS reads lists, of any element kind.
	for _, path := range []string{"promoted_referral_ids", "schedule"} {
		if err := c.List("integration.education.v1.OfferChanged", path); err != nil {
			t.Errorf("list %s: %v", path, err)
		}
	}
	for path, want := range map[string]string{
		"municipality":        "is not a list",
		"eligibility.min_age": "is not a list",
		"town":                "has no field",
		"schedule.weekday":    "is a list",
	} {
		if err := c.List("integration.education.v1.OfferChanged", path); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("list %q: %v, want %q", path, err, want)
		}
	}
}
