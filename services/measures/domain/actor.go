package domain

import (
	"regexp"
	"strings"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
)

// ActorID identifies an actor: lower-case letters, digits and single
// hyphens, starting with a letter, at most 63 characters (e.g. "backnang").
type ActorID string

var actorIDPattern = regexp.MustCompile(`^[a-z]([a-z0-9]|-[a-z0-9]){0,62}$`)

// ParseActorID checks an actor ID.
func ParseActorID(s string) (ActorID, error) {
	if len(s) > 63 || !actorIDPattern.MatchString(s) {
		return "", apierr.Invalid("actor_id", "must be lower-case letters, digits and single hyphens, start with a letter and have at most 63 characters, got %q", s)
	}
	return ActorID(s), nil
}

// Actor is an organisation the plan addresses (Akteur).
type Actor struct {
	ID          ActorID
	Kind        ActorKind
	DisplayName string
}

// NewActor validates an actor.
func NewActor(id string, kind ActorKind, displayName string) (Actor, error) {
	var v apierr.Violations
	aid, err := ParseActorID(id)
	v.Merge("", err)
	if !kind.Valid() {
		v.Add("actor.kind", "is required and must be a known kind of actor")
	}
	v.Text("actor.display_name", displayName, 2, 200, false)
	if err := v.Err(); err != nil {
		return Actor{}, err
	}
	return Actor{ID: aid, Kind: kind, DisplayName: strings.TrimSpace(displayName)}, nil
}
