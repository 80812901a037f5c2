package service_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/timestamppb"

	educationv1 "github.com/integrationsplan/integrationsplan/proto/integration/education/v1"
	gatewayv1 "github.com/integrationsplan/integrationsplan/proto/integration/gateway/v1"
	"github.com/integrationsplan/integrationsplan/services/gateway/audit"
)

// wantViolation asserts err is INVALID_ARGUMENT naming field.
func wantViolation(t *testing.T, err error, field string) {
	t.Helper()
	st := wantCode(t, err, codes.InvalidArgument)
	for _, d := range st.Details() {
		if br, ok := d.(*errdetails.BadRequest); ok && len(br.GetFieldViolations()) == 1 && br.GetFieldViolations()[0].GetField() == field {
			return
		}
	}
	t.Fatalf("no field violation on %s in %v", field, st.Details())
}

// TestAuditorListsRecords: only a partner with audit.read lists the audit
// records (who, which resource, what, why, outcome, when), filtered by
// partner, resource and time, page by page; over gRPC and JSON alike.
func TestAuditorListsRecords(t *testing.T) {
	s := startSystem(t)
	_, eduAddr := startEducation(t)
	cfg := s.config()
	cfg.Backends += ";integration.education.v1=" + eduAddr
	gw := s.startGateway(cfg)
	edu := educationv1.NewEducationServiceClient(gw.conn)
	auditClient := gatewayv1.NewAuditServiceClient(gw.conn)
	get := func(partner, name string) error {
		_, err := edu.GetParticipant(s.as(partner, audit.PurposeHeader, "Beratung"), &educationv1.GetParticipantRequest{Name: name})
		return err
	}
	for _, name := range []string{"participants/p-1", "participants/p-2"} {
		if err := get(caseworker, name); err != nil {
			t.Fatal(err)
		}
	}
	wantCode(t, get(reader, "participants/p-1"), codes.PermissionDenied)
	// The window's boundary lies between two stored records.
	mid := time.Now()
	for _, name := range []string{"participants/p-1", "participants/p-3"} {
		if err := get(caseworker, name); err != nil {
			t.Fatal(err)
		}
	}
	// The service's answer is the outcome.
	wantCode(t, get(caseworker, gone), codes.NotFound)

	// Partners without audit.read see nothing, whatever else they may do.
	for _, p := range []string{reader, caseworker} {
		_, err := auditClient.ListAuditRecords(s.as(p), &gatewayv1.ListAuditRecordsRequest{})
		wantCode(t, err, codes.PermissionDenied)
	}
	_, err := auditClient.ListAuditRecords(s.t.Context(), &gatewayv1.ListAuditRecordsRequest{})
	wantCode(t, err, codes.Unauthenticated)

	list := func(req *gatewayv1.ListAuditRecordsRequest) []*gatewayv1.AccessRecorded {
		t.Helper()
		var all []*gatewayv1.AccessRecorded
		for pages := 0; ; pages++ {
			if pages > 10 {
				t.Fatal("paging does not end")
			}
			resp, err := auditClient.ListAuditRecords(s.as(auditor), req)
			if err != nil {
				t.Fatal(err)
			}
			if req.GetPageSize() > 0 && len(resp.GetRecords()) > int(req.GetPageSize()) {
				t.Fatalf("page of %d records, asked for %d", len(resp.GetRecords()), req.GetPageSize())
			}
			all = append(all, resp.GetRecords()...)
			if resp.GetNextPageToken() == "" {
				return all
			}
			req.PageToken = resp.GetNextPageToken()
		}
	}
	resources := func(recs []*gatewayv1.AccessRecorded) []string {
		var out []string
		for _, r := range recs {
			out = append(out, r.GetPartner()+" "+r.GetOutcome()+" "+firstOr(r.GetResources(), "-"))
		}
		return out
	}
	wantList := func(name string, req *gatewayv1.ListAuditRecordsRequest, want ...string) {
		t.Helper()
		got := resources(list(req))
		if len(got) != len(want) {
			t.Fatalf("%s: %q, want %q", name, got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("%s: %q, want %q", name, got, want)
			}
		}
	}
	all := []string{
		"caseworker OK participants/p-1", "caseworker OK participants/p-2", "reader PERMISSION_DENIED -",
		"caseworker OK participants/p-1", "caseworker OK participants/p-3", "caseworker NOT_FOUND " + gone,
	}
	wantList("all, in one page", &gatewayv1.ListAuditRecordsRequest{}, all...)
	wantList("all, two at a time", &gatewayv1.ListAuditRecordsRequest{PageSize: 2}, all...)
	wantList("one partner", &gatewayv1.ListAuditRecordsRequest{Partner: reader}, all[2])
	wantList("one resource", &gatewayv1.ListAuditRecordsRequest{Resource: "participants/p-1", PageSize: 1}, all[0], all[3])
	wantList("since", &gatewayv1.ListAuditRecordsRequest{StartTime: timestamppb.New(mid)}, all[3:]...)
	wantList("until", &gatewayv1.ListAuditRecordsRequest{EndTime: timestamppb.New(mid), PageSize: 2}, all[:3]...)
	wantList("nobody", &gatewayv1.ListAuditRecordsRequest{Partner: "kreis"})
	wantList("refused", &gatewayv1.ListAuditRecordsRequest{Outcome: "PERMISSION_DENIED"}, all[2])
	wantList("ok and p-1", &gatewayv1.ListAuditRecordsRequest{Outcome: "OK", Resource: "participants/p-1"}, all[0], all[3])

	// A record tells who, what, which, why, the outcome and when.
	rec := list(&gatewayv1.ListAuditRecordsRequest{PageSize: 1})[0]
	if rec.GetMethod() != "/integration.education.v1.EducationService/GetParticipant" || rec.GetPurpose() != "Beratung" ||
		rec.GetScope() != "education.participants.write" || rec.GetTime().AsTime().After(mid) || rec.GetTime().AsTime().IsZero() {
		t.Fatalf("record %v", rec)
	}

	// Bad filters and tokens are refused, naming the field.
	first, err := auditClient.ListAuditRecords(s.as(auditor), &gatewayv1.ListAuditRecordsRequest{PageSize: 1})
	if err != nil || first.GetNextPageToken() == "" {
		t.Fatalf("%v, %v", first, err)
	}
	for field, req := range map[string]*gatewayv1.ListAuditRecordsRequest{
		"partner":    {Partner: "Erika Mustermann"},
		"resource":   {Resource: "participants/p-1 "},
		"end_time":   {StartTime: timestamppb.New(mid), EndTime: timestamppb.New(mid)},
		"start_time": {StartTime: &timestamppb.Timestamp{Seconds: -1 << 60}},
		"page_size":  {PageSize: -1},
		"outcome":    {Outcome: "PermissionDenied"},
		"page_token": {PageToken: first.GetNextPageToken(), Partner: reader},
	} {
		_, err := auditClient.ListAuditRecords(s.as(auditor), req)
		wantViolation(t, err, field)
	}

	// JSON/HTTP: the same route, the same scope.
	const path = "integration.gateway.v1.AuditService/ListAuditRecords"
	resp, body := post(t, gw, path, s.keys[auditor], `{"partner":"reader"}`)
	var out struct {
		Records []struct{ Partner, Outcome, Method string }
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &out) != nil || len(out.Records) != 1 ||
		out.Records[0].Outcome != "PERMISSION_DENIED" {
		t.Fatalf("JSON: %d %s", resp.StatusCode, body)
	}
	if resp, body := post(t, gw, path, s.keys[reader], `{}`); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("JSON without audit.read: %d %s", resp.StatusCode, body)
	}
	if resp, body := post(t, gw, path, "", `{}`); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("JSON without key: %d %s", resp.StatusCode, body)
	}
}

func firstOr(s []string, none string) string {
	if len(s) == 0 {
		return none
	}
	return s[0]
}

// TestRefusalsDoNotFloodTheAudit: refused attempts on personal data are
// recorded only within the partner's rate limit.
func TestRefusalsDoNotFloodTheAudit(t *testing.T) {
	s := startSystem(t)
	_, eduAddr := startEducation(t)
	cfg := s.config()
	cfg.Backends += ";integration.education.v1=" + eduAddr
	cfg.RateLimits = "read=100/s:200,write=1/h:2,admin=100/s:200"
	gw := s.startGateway(cfg)
	edu := educationv1.NewEducationServiceClient(gw.conn)
	for range 5 {
		_, err := edu.GetParticipant(s.as(reader, audit.PurposeHeader, "Neugier"), &educationv1.GetParticipantRequest{Name: "participants/p-1"})
		wantCode(t, err, codes.PermissionDenied)
	}
	if recs := auditRecords(t, s); len(recs) != 2 || recs[1].GetOutcome() != "PERMISSION_DENIED" {
		t.Fatalf("%d records, want the 2 within the limit: %v", len(recs), recs)
	}
}
