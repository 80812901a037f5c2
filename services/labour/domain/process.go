package domain

import (
	"slices"
	"strconv"
	"time"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
)

// ChecklistItem is a task of a stage that must be done before a case leaves it.
type ChecklistItem struct {
	ID    string
	Title string
}

// Stage is a step of the standard process (measure 2.5).
type Stage struct {
	ID        string
	Title     string
	Checklist []ChecklistItem
	// TimeTargetDays is how long a case may stay before it is overdue; 0 for none.
	TimeTargetDays int32
	// CourseReferrals allows asking education for a course in this stage.
	CourseReferrals bool
}

// HasItem reports whether the stage's checklist has the item.
func (s Stage) HasItem(id string) bool {
	return slices.ContainsFunc(s.Checklist, func(i ChecklistItem) bool { return i.ID == id })
}

// maxTimeTargetDays bounds a time target to about three years.
const maxTimeTargetDays = 1100

// NewStages validates the ordered stages of a process definition. The last
// stage is the closing stage, which a case enters only when it is closed, so
// it has neither checklist nor time target.
func NewStages(title string, stages []Stage) ([]Stage, error) {
	var v apierr.Violations
	v.Text("title", title, 3, 200, false)
	if len(stages) < 2 {
		v.Add("stages", "name at least two stages: the working stages and the closing stage last")
	}
	if len(stages) > 50 {
		v.Add("stages", "must have at most 50 stages, has %d", len(stages))
	}
	seen := map[string]bool{}
	for i, s := range stages {
		field := "stages[" + strconv.Itoa(i) + "]"
		checkSlug(&v, field+".id", s.ID)
		if seen[s.ID] {
			v.Add(field+".id", "stage %q is listed twice", s.ID)
		}
		seen[s.ID] = true
		v.Text(field+".title", s.Title, 2, 200, false)
		if s.TimeTargetDays < 0 || s.TimeTargetDays > maxTimeTargetDays {
			v.Add(field+".time_target_days", "must be between 0 (no target) and %d, got %d", maxTimeTargetDays, s.TimeTargetDays)
		}
		if i == len(stages)-1 && (len(s.Checklist) > 0 || s.TimeTargetDays > 0 || s.CourseReferrals) {
			v.Add(field, "is the closing stage and must have no checklist, no time target and no course referrals")
		}
		items := map[string]bool{}
		for j, it := range s.Checklist {
			f := field + ".checklist[" + strconv.Itoa(j) + "]"
			checkSlug(&v, f+".id", it.ID)
			if items[it.ID] {
				v.Add(f+".id", "item %q is listed twice", it.ID)
			}
			items[it.ID] = true
			v.Text(f+".title", it.Title, 2, 200, false)
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return stages, nil
}

// ProcessVersion is one published version of a process definition.
type ProcessVersion struct {
	Process     string
	Version     int32
	Title       string
	Stages      []Stage
	PublishTime time.Time
	// Seq is the sequence of the event that published it.
	Seq uint64
}

// StageIndex is the position of a stage, or -1.
func (p *ProcessVersion) StageIndex(id string) int {
	return slices.IndexFunc(p.Stages, func(s Stage) bool { return s.ID == id })
}

// Stage returns a stage by ID.
func (p *ProcessVersion) Stage(id string) (Stage, bool) {
	i := p.StageIndex(id)
	if i < 0 {
		return Stage{}, false
	}
	return p.Stages[i], true
}

// First is the stage a new case starts in.
func (p *ProcessVersion) First() Stage { return p.Stages[0] }

// Closing is the last stage, where closed cases rest.
func (p *ProcessVersion) Closing() Stage { return p.Stages[len(p.Stages)-1] }

// Process is a process definition with all its versions.
type Process struct {
	ID       string
	Versions []*ProcessVersion // by version, starting at 1
	// Revision is the sequence of the process's last event (its etag).
	Revision uint64
}

// Latest is the newest version.
func (p *Process) Latest() *ProcessVersion { return p.Versions[len(p.Versions)-1] }

// Version returns a version by number.
func (p *Process) Version(n int32) (*ProcessVersion, bool) {
	if n < 1 || int(n) > len(p.Versions) {
		return nil, false
	}
	return p.Versions[n-1], true
}
