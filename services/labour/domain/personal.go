package domain

import "github.com/integrationsplan/integrationsplan/platform/apierr"

// PersonalData of a case lives only in the erasable store, never in events.
type PersonalData struct {
	GivenName  string `json:"given_name,omitempty"`
	FamilyName string `json:"family_name,omitempty"`
	Phone      string `json:"phone,omitempty"`
	Email      string `json:"email,omitempty"`
	Notes      string `json:"notes,omitempty"`
}

// Empty reports whether nothing was given.
func (p PersonalData) Empty() bool { return p == PersonalData{} }

// NewPersonalData validates personal data.
func NewPersonalData(p PersonalData) (PersonalData, error) {
	var v apierr.Violations
	const f = "personal_data."
	v.Text(f+"given_name", p.GivenName, 0, 100, false)
	v.Text(f+"family_name", p.FamilyName, 0, 100, false)
	v.Text(f+"phone", p.Phone, 0, 40, false)
	v.Text(f+"email", p.Email, 0, 200, false)
	v.Text(f+"notes", p.Notes, 0, 2000, true)
	return p, v.Err()
}
