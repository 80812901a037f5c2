package domain

import (
	"strconv"
	"strings"
	"time"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
)

// Stay is one period a case spent in a stage; Exit is zero while it lasts.
type Stay struct {
	Stage       string
	Enter, Exit time.Time
}

// Referral is a course referral requested from the education service.
type Referral struct {
	State       ReferralState
	Participant string
	// Offer is empty while pending without a chosen offer.
	Offer string
	// ID is education's referral ID once created.
	ID string
	// CourseStatus is the status education last reported.
	CourseStatus CourseStatus
	Failure      string
	// RequestID is the request ID of every call to education for it.
	RequestID   string
	RequestTime time.Time
}

// Case is one person's way through the standard process, known by a
// pseudonym. It is built from events; its methods check commands against it.
type Case struct {
	ID             string
	Process        string
	ProcessVersion int32
	Owner          string
	Municipality   string
	Stage          string
	State          CaseState
	Outcome        Outcome
	// Overdue is set when the current stay passed its time target.
	Overdue bool
	// TransferTo is the organisation a pending transfer offers the case to.
	TransferTo string
	Referral   *Referral
	Erased     bool
	Stays      []Stay
	completed  map[string]bool // stage + "/" + item
	// Revision is the sequence of the case's last event (its etag).
	Revision   uint64
	CreateTime time.Time
	UpdateTime time.Time
	TransferAt time.Time
	StageEnter time.Time
}

// OpenCase returns a case in the first stage of pv.
func OpenCase(id string, pv *ProcessVersion, owner, municipality string, at time.Time) *Case {
	c := &Case{
		ID: id, Process: pv.Process, ProcessVersion: pv.Version, Owner: owner, Municipality: municipality,
		State: Open, completed: map[string]bool{}, CreateTime: at,
	}
	c.Enter(pv.First().ID, at)
	return c
}

// NewCase validates the fields of a case a caller chooses.
func NewCase(owner, municipality string) error {
	var v apierr.Violations
	checkSlug(&v, "owner", owner)
	checkSlug(&v, "municipality", municipality)
	return v.Err()
}

// Enter records that the case moved to a stage.
func (c *Case) Enter(stage string, at time.Time) {
	if n := len(c.Stays); n > 0 && c.Stays[n-1].Exit.IsZero() {
		c.Stays[n-1].Exit = at
	}
	c.Stays = append(c.Stays, Stay{Stage: stage, Enter: at})
	c.Stage, c.StageEnter, c.Overdue = stage, at, false
}

// Complete records a completed checklist item.
func (c *Case) Complete(stage, item string) { c.completed[stage+"/"+item] = true }

// Completed lists the completed items of the current stage in checklist order.
func (c *Case) Completed(pv *ProcessVersion) []string {
	s, _ := pv.Stage(c.Stage)
	var out []string
	for _, it := range s.Checklist {
		if c.completed[c.Stage+"/"+it.ID] {
			out = append(out, it.ID)
		}
	}
	return out
}

// Missing lists the open items of the current stage in checklist order.
func (c *Case) Missing(pv *ProcessVersion) []string {
	s, _ := pv.Stage(c.Stage)
	var out []string
	for _, it := range s.Checklist {
		if !c.completed[c.Stage+"/"+it.ID] {
			out = append(out, it.ID)
		}
	}
	return out
}

// Touch records the event that changed the case.
func (c *Case) Touch(revision uint64, at time.Time) { c.Revision, c.UpdateTime = revision, at }

func (c *Case) mustBeOpen() error {
	if c.State != Open {
		return apierr.FailedPrecondition("CASE_CLOSED", map[string]string{"case": c.ID},
			"case %s is closed; a closed case does not change", c.ID)
	}
	return nil
}

// CheckComplete checks that item is an open item of the current stage.
func (c *Case) CheckComplete(pv *ProcessVersion, item string) error {
	if err := c.mustBeOpen(); err != nil {
		return err
	}
	s, _ := pv.Stage(c.Stage)
	if !s.HasItem(item) {
		ids := make([]string, len(s.Checklist))
		for i, it := range s.Checklist {
			ids[i] = it.ID
		}
		return apierr.Invalid("item", "is not an item of stage %s (its items: %s), got %q", c.Stage, strings.Join(ids, ", "), item)
	}
	if c.completed[c.Stage+"/"+item] {
		return apierr.FailedPrecondition("ITEM_ALREADY_COMPLETED", map[string]string{"stage": c.Stage, "item": item},
			"item %s of stage %s is completed already", item, c.Stage)
	}
	return nil
}

// NextStage returns the stage an advance leads to: the next one, if the
// current stage's checklist is complete. The closing stage is reached only
// by closing the case, which needs an outcome.
func (c *Case) NextStage(pv *ProcessVersion) (string, error) {
	if err := c.mustBeOpen(); err != nil {
		return "", err
	}
	i := pv.StageIndex(c.Stage)
	if i+2 >= len(pv.Stages) {
		return "", apierr.FailedPrecondition("LAST_WORKING_STAGE", map[string]string{"from": c.Stage, "to": pv.Closing().ID},
			"stage %s is the last working stage; close the case with an outcome to move it to %s", c.Stage, pv.Closing().ID)
	}
	to := pv.Stages[i+1].ID
	if missing := c.Missing(pv); len(missing) > 0 {
		return "", apierr.FailedPrecondition("CHECKLIST_INCOMPLETE",
			map[string]string{"from": c.Stage, "to": to, "missing_items": strings.Join(missing, ",")},
			"the case cannot move from %s to %s: checklist items %s are open", c.Stage, to, strings.Join(missing, ", "))
	}
	return to, nil
}

// PreviousStage returns the stage a step back leads to.
func (c *Case) PreviousStage(pv *ProcessVersion, reason StepBackReason) (string, error) {
	if !reason.Valid() {
		return "", apierr.Invalid("reason", "is required and must be a known step-back reason")
	}
	if err := c.mustBeOpen(); err != nil {
		return "", err
	}
	i := pv.StageIndex(c.Stage)
	if i == 0 {
		return "", apierr.FailedPrecondition("FIRST_STAGE", map[string]string{"from": c.Stage},
			"the case is in the first stage %s; there is no stage before it", c.Stage)
	}
	return pv.Stages[i-1].ID, nil
}

// CheckClose checks that the case can be closed with outcome; it moves to
// the closing stage.
func (c *Case) CheckClose(outcome Outcome) error {
	if !outcome.Valid() {
		return apierr.Invalid("outcome", "is required: EMPLOYMENT, APPRENTICESHIP, FURTHER_EDUCATION, MOVED_AWAY or DISCONTINUED")
	}
	return c.mustBeOpen()
}

// CheckMigrate checks a move of the case from its version to a newer one.
func (c *Case) CheckMigrate(to *ProcessVersion) error {
	if err := c.mustBeOpen(); err != nil {
		return err
	}
	if to.Process != c.Process || to.Version <= c.ProcessVersion {
		return apierr.FailedPrecondition("NOT_A_NEWER_VERSION",
			map[string]string{"from_version": itoa(c.ProcessVersion), "to_version": itoa(to.Version)},
			"a case on version %d of process %s can only move to a newer version of it", c.ProcessVersion, c.Process)
	}
	if i := to.StageIndex(c.Stage); i < 0 || i == len(to.Stages)-1 {
		return apierr.FailedPrecondition("STAGE_NOT_IN_VERSION", map[string]string{"stage": c.Stage, "to_version": itoa(to.Version)},
			"version %d of process %s has no working stage %s; move the case to a stage both versions share first", to.Version, c.Process, c.Stage)
	}
	return nil
}

// CheckTransfer checks offering the case to another organisation.
func (c *Case) CheckTransfer(to string) error {
	var v apierr.Violations
	checkSlug(&v, "to_owner", to)
	if to == c.Owner {
		v.Add("to_owner", "is the case's owner already; name another organisation")
	}
	if err := v.Err(); err != nil {
		return err
	}
	if err := c.mustBeOpen(); err != nil {
		return err
	}
	if c.TransferTo != "" {
		return apierr.FailedPrecondition("TRANSFER_PENDING", map[string]string{"to_owner": c.TransferTo},
			"the case is offered to %s already; it must accept or decline first", c.TransferTo)
	}
	return nil
}

// CheckAnswerTransfer checks accepting or declining a pending transfer.
func (c *Case) CheckAnswerTransfer() error {
	if c.TransferTo == "" {
		return apierr.FailedPrecondition("NO_TRANSFER_PENDING", nil, "case %s is not offered to anyone", c.ID)
	}
	return nil
}

// CheckReferral checks asking education for a course referral.
func (c *Case) CheckReferral(pv *ProcessVersion) error {
	if err := c.mustBeOpen(); err != nil {
		return err
	}
	if s, _ := pv.Stage(c.Stage); !s.CourseReferrals {
		return apierr.FailedPrecondition("STAGE_WITHOUT_REFERRALS", map[string]string{"stage": c.Stage},
			"stage %s does not refer to courses; course referrals belong to the language and qualification stage", c.Stage)
	}
	if c.Referral != nil && c.Referral.State == ReferralPending {
		return apierr.FailedPrecondition("REFERRAL_PENDING", nil, "a course referral of the case is pending already")
	}
	return nil
}

// DueTime is when the current stay passes its time target; false without one.
func (c *Case) DueTime(pv *ProcessVersion) (time.Time, bool) {
	s, ok := pv.Stage(c.Stage)
	if !ok || s.TimeTargetDays == 0 || c.State != Open {
		return time.Time{}, false
	}
	return c.StageEnter.AddDate(0, 0, int(s.TimeTargetDays)), true
}

// BecameOverdue reports whether the case is past its stage's time target at
// now and not flagged yet; each stay is flagged once.
func (c *Case) BecameOverdue(pv *ProcessVersion, now time.Time) bool {
	due, ok := c.DueTime(pv)
	return ok && !c.Overdue && now.After(due)
}

func itoa(n int32) string { return strconv.Itoa(int(n)) }
