package personal_test

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/integrationsplan/integrationsplan/platform/natstest"
	"github.com/integrationsplan/integrationsplan/platform/personal"
)

type person struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

func TestErasureLeavesNoReadableBytes(t *testing.T) {
	srv := natstest.Start(t)
	_, js := srv.Connect(t)
	ctx := context.Background()
	store, err := personal.Open[person](ctx, js, "test", 1)
	if err != nil {
		t.Fatal(err)
	}
	alice := person{Name: "Zorabel Quintanilla-Ostrowski", Email: "zorabel@example.org"}
	if err := store.Put(ctx, "p-1", alice); err != nil {
		t.Fatal(err)
	}
	if err := store.Put(ctx, "p-1", person{Name: "someone else"}); err != nil { // a retry keeps the first
		t.Fatal(err)
	}
	if err := store.Put(ctx, "p-2", person{Name: "Bert"}); err != nil {
		t.Fatal(err)
	}
	got, err := store.Get(ctx, "p-1")
	if err != nil || got != alice {
		t.Fatalf("Get: %+v %v", got, err)
	}
	if found(t, srv.Dir, []byte(alice.Name)) {
		t.Fatal("the name is stored in plain text")
	}
	keys, err := js.Stream(ctx, personal.KeyStream("test"))
	if err != nil {
		t.Fatal(err)
	}
	key, err := keys.GetLastMsgForSubject(ctx, "test.personal.keys.p-1")
	if err != nil {
		t.Fatal(err)
	}
	if !found(t, srv.Dir, key.Data) {
		t.Fatal("the search cannot find the key before the erasure: it would prove nothing after it")
	}

	if err := store.Erase(ctx, "p-1"); err != nil {
		t.Fatal(err)
	}
	if err := store.Erase(ctx, "p-1"); err != nil { // idempotent
		t.Fatal(err)
	}
	if _, err := store.Get(ctx, "p-1"); !errors.Is(err, personal.ErrErased) {
		t.Fatalf("Get after erasure: %v", err)
	}
	if found(t, srv.Dir, key.Data) {
		t.Fatal("the erased key is still readable on disk")
	}
	if other, err := store.Get(ctx, "p-2"); err != nil || other.Name != "Bert" {
		t.Fatalf("another person's data: %+v %v", other, err)
	}
}

// found searches every file under dir for b.
func found(t *testing.T, dir string, b []byte) bool {
	t.Helper()
	hit := false
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		hit = hit || bytes.Contains(data, b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return hit
}
