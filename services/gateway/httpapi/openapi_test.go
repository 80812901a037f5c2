package httpapi

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
)

// TestOpenAPIDescribesExactlyTheJSONRoutes reads the served document and
// checks, for every RPC of the integration packages linked in, that it has
// a path in the document exactly when the gateway has its JSON route.
func TestOpenAPIDescribesExactlyTheJSONRoutes(t *testing.T) {
	// Nobody listens behind the connection: a route answers UNAVAILABLE
	// (503), a missing one 404.
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := lis.Addr().String()
	lis.Close()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var packages []string
	for pkg := range registrations {
		packages = append(packages, pkg)
	}
	h, err := New(context.Background(), Config{Conn: conn, Packages: packages, Heartbeat: time.Second,
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()

	resp, err := http.Get(srv.URL + "/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("GET /openapi.json: %s %s", resp.Status, resp.Header.Get("Content-Type"))
	}
	var doc struct {
		Swagger string
		Paths   map[string]map[string]json.RawMessage
	}
	if err := json.Unmarshal(body, &doc); err != nil || doc.Swagger != "2.0" {
		t.Fatalf("not an OpenAPI v2 document (%v): %.200s", err, body)
	}

	routed := func(path string) bool {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+path, strings.NewReader("{}"))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("POST %s: %v", path, err)
		}
		resp.Body.Close()
		return resp.StatusCode != http.StatusNotFound
	}
	rpcs := 0
	protoregistry.GlobalFiles.RangeFiles(func(f protoreflect.FileDescriptor) bool {
		if !strings.HasPrefix(string(f.Package()), "integration.") {
			return true
		}
		for i := range f.Services().Len() {
			svc := f.Services().Get(i)
			for j := range svc.Methods().Len() {
				rpcs++
				path := "/" + string(svc.FullName()) + "/" + string(svc.Methods().Get(j).Name())
				ops, documented := doc.Paths[path]
				if documented && (len(ops) != 1 || ops["post"] == nil) {
					t.Errorf("%s: documented as %v, want POST only", path, ops)
				}
				if r := routed(path); r != documented {
					t.Errorf("%s: JSON route %v, in the OpenAPI document %v", path, r, documented)
				}
				delete(doc.Paths, path)
			}
		}
		return true
	})
	if rpcs == 0 {
		t.Fatal("no RPC linked in")
	}
	for path := range doc.Paths {
		t.Errorf("the document describes %s, which is no RPC", path)
	}
}
