// Package exampledata holds the Beispieldaten the local launcher loads: a
// plan file and a few invented decisions.
package exampledata

import (
	_ "embed"

	"github.com/integrationsplan/integrationsplan/services/measures/domain"
)

// Plan is the example plan file.
//
//go:embed beispieldaten.yaml
var Plan []byte

// Decision is an invented decision. RequestID makes recording it idempotent,
// so seeding on every start records each decision once.
type Decision struct {
	RequestID    string
	Measure      string // measure ID, e.g. m-1-3
	Actor        string
	Status       domain.Status
	Progress     *int32
	DecidedOn    string
	DecidingBody string
}

// Comment marks every example decision.
const Comment = "Beispieldaten – keine echte Entscheidung"

func pct(n int32) *int32 { return &n }

// Decisions in the order they are recorded.
var Decisions = []Decision{
	{"9b1c1e0a-0000-4000-8000-000000000001", "m-1-3", "landkreis", domain.Considering, nil, "2017-06-12", "Landratsamt"},
	{"9b1c1e0a-0000-4000-8000-000000000002", "m-1-3", "landkreis", domain.Adopted, nil, "2017-07-17", "Kreistag, Verwaltungs-, Schul- und Kulturausschuss"},
	{"9b1c1e0a-0000-4000-8000-000000000003", "m-1-3", "landkreis", domain.InProgress, pct(60), "2018-03-01", "Koordinierungsstelle Bildung"},
	{"9b1c1e0a-0000-4000-8000-000000000004", "m-1-3", "backnang", domain.Considering, nil, "2017-09-20", "Gemeinderat"},
	{"9b1c1e0a-0000-4000-8000-000000000005", "m-1-3", "backnang", domain.Adopted, nil, "2017-11-15", "Gemeinderat"},
	{"9b1c1e0a-0000-4000-8000-000000000006", "m-1-3", "waiblingen", domain.Considering, nil, "2017-10-05", "Gemeinderat"},
	{"9b1c1e0a-0000-4000-8000-000000000007", "m-1-3", "waiblingen", domain.Declined, nil, "2017-12-07", "Gemeinderat"},
	{"9b1c1e0a-0000-4000-8000-000000000008", "m-2-3", "landkreis", domain.Considering, nil, "2017-06-30", "Arbeitsgruppe Arbeitsmarktintegration"},
	{"9b1c1e0a-0000-4000-8000-000000000009", "m-2-3", "landkreis", domain.Adopted, nil, "2017-09-01", "Landratsamt"},
	{"9b1c1e0a-0000-4000-8000-00000000000a", "m-2-3", "ihk-rems-murr", domain.Considering, nil, "2017-09-15", "Geschäftsführung"},
	{"9b1c1e0a-0000-4000-8000-00000000000b", "m-2-3", "ihk-rems-murr", domain.Adopted, nil, "2017-10-10", "Geschäftsführung"},
	{"9b1c1e0a-0000-4000-8000-00000000000c", "m-2-3", "ihk-rems-murr", domain.InProgress, pct(40), "2018-01-15", "Geschäftsführung"},
	{"9b1c1e0a-0000-4000-8000-00000000000d", "m-2-5", "landkreis", domain.Considering, nil, "2017-06-30", "Arbeitsgruppe Arbeitsmarktintegration"},
	{"9b1c1e0a-0000-4000-8000-00000000000e", "m-2-5", "jobcenter-rems-murr", domain.Considering, nil, "2017-08-01", "Geschäftsführung"},
	{"9b1c1e0a-0000-4000-8000-00000000000f", "m-1-6", "helferkreis-beispiel", domain.Considering, nil, "2017-10-01", "Sprecherkreis"},
}
