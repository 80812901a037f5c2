package dashboard

import (
	"net/http"

	edu "github.com/integrationsplan/integrationsplan/proto/integration/education/v1"
	mpb "github.com/integrationsplan/integrationsplan/proto/integration/measures/v1"
)

// figure is one key figure of the live page.
type figure struct {
	ID, Label, Value, Note string
}

type livePage struct {
	base
	PlanProblem string
	Plan        []figure
	Education   []figure
	EduProblem  string
	Labour      []figure
	LabourNote  string
	// Names lets the feed name measures, actors and offers; statuses get
	// their German labels. No participant or case appears here.
	Names liveNames
}

type liveNames struct {
	Measures  map[string]string `json:"measures"`
	Actors    map[string]string `json:"actors"`
	Offers    map[string]string `json:"offers"`
	Providers map[string]string `json:"providers"`
	Adoption  map[string]string `json:"adoption"`
	Offer     map[string]string `json:"offer"`
	Referral  map[string]string `json:"referral"`
}

func (d *Dashboard) livePage(w http.ResponseWriter, r *http.Request, v *viewer) {
	p := &livePage{base: d.base(r, v, "Live", "live")}
	p.Names = liveNames{Measures: map[string]string{}, Actors: map[string]string{}, Offers: map[string]string{},
		Providers: map[string]string{}, Adoption: map[string]string{}, Offer: map[string]string{}, Referral: map[string]string{}}
	for s, i := range adoptionInfo {
		p.Names.Adoption[s.String()] = i.Label
	}
	for s, l := range offerStatuses {
		p.Names.Offer[s.String()] = l
	}
	for s, l := range referralLabels {
		p.Names.Referral[s.String()] = l
	}
	ctx, cancel := v.callContext(r)
	defer cancel()
	plan, err := fetchPlan(ctx, d.measures, false)
	if err != nil {
		p.PlanProblem = d.problem(r, "plan", err)
	} else {
		for _, m := range plan.measures {
			p.Names.Measures[lastPart(m.GetName())] = m.GetNumber() + " " + m.GetTitle()
		}
		for _, a := range plan.actors {
			p.Names.Actors[lastPart(a.GetName())] = a.GetDisplayName()
		}
		f := plan.report.GetPlan()
		counts := map[mpb.AdoptionStatus]int{}
		for _, c := range f.GetCounts() {
			counts[c.GetStatus()] = int(c.GetCount())
		}
		p.Plan = []figure{
			{ID: "k-massnahmen", Label: "Maßnahmen im Plan", Value: number(len(plan.measures))},
			{ID: "k-beschlossen", Label: "Anteil beschlossen", Value: percent(f.GetAdoptedShare()),
				Note: number(int(f.GetTotal())) + " Entscheidungen von Akteuren zu Maßnahmen"},
			{ID: "k-fortschritt", Label: "Mittlerer Fortschritt", Value: decimal(f.GetMeanProgressPercent()) + " %"},
			{ID: "k-umsetzung", Label: "In Umsetzung", Value: number(counts[mpb.AdoptionStatus_ADOPTION_STATUS_IN_PROGRESS])},
			{ID: "k-umgesetzt", Label: "Umgesetzt", Value: number(counts[mpb.AdoptionStatus_ADOPTION_STATUS_IMPLEMENTED])},
		}
	}
	if d.connected(educationPackage) {
		data := fetchEducation(ctx, d.education, false)
		if data.offersErr != nil {
			p.EduProblem = d.problem(r, "offers", data.offersErr)
		} else {
			free, open := 0, 0
			for _, o := range data.offers {
				p.Names.Offers[lastPart(o.GetName())] = o.GetTitle()
				if countsFreePlaces(o.GetStatus()) {
					free += int(o.GetFreePlaces())
				}
				if o.GetStatus() == edu.OfferStatus_OFFER_STATUS_OPEN {
					open++
				}
			}
			for _, pr := range data.providers {
				p.Names.Providers[lastPart(pr.GetName())] = pr.GetDisplayName()
			}
			p.Education = append(p.Education,
				figure{ID: "k-offen", Label: "Offene Angebote", Value: number(open)},
				figure{ID: "k-frei", Label: "Freie Plätze", Value: number(free), Note: "in geplanten und offenen Angeboten"})
		}
		if data.referralErr == nil {
			waiting := 0
			for _, ref := range data.referrals {
				if ref.GetStatus() == edu.ReferralStatus_REFERRAL_STATUS_WAITLISTED {
					waiting++
				}
			}
			p.Education = append(p.Education,
				figure{ID: "k-vermittlungen", Label: "Vermittlungen", Value: number(len(data.referrals))},
				figure{ID: "k-warteliste", Label: "Auf der Warteliste", Value: number(waiting)})
		}
	}
	if !d.connected(labourPackage) {
		p.LabourNote = "Noch keine Daten. " + d.labourNoData(false, nil)
	} else {
		lp := &labourPage{}
		d.buildLabour(r, fetchLabour(ctx, d.labour, d.cfg.LabourProcess, false), lp)
		switch {
		case lp.NoData != "":
			p.LabourNote = "Noch keine Daten. " + lp.NoData
		case lp.FunnelProblem != "":
			p.LabourNote = lp.FunnelProblem
		default:
			p.Labour = []figure{
				{ID: "k-faelle", Label: "Offene Fälle", Value: number(lp.Open)},
				{ID: "k-ueberfaellig", Label: "Davon überfällig", Value: number(lp.Overdue)},
			}
		}
	}
	d.render(w, http.StatusOK, "live", p)
}
