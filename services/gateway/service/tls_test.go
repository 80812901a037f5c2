package service_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"

	pb "github.com/integrationsplan/integrationsplan/proto/integration/measures/v1"
	"github.com/integrationsplan/integrationsplan/services/gateway/auth"
	"github.com/integrationsplan/integrationsplan/services/gateway/service"
)

// issuer is a test certificate authority.
type issuer struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

func newKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func newCA(t *testing.T, name string) *issuer {
	t.Helper()
	key := newKey(t)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return &issuer{cert: cert, key: key}
}

// issue makes a certificate for name (a server's for 127.0.0.1, or a
// client's).
func (ca *issuer) issue(t *testing.T, name string, server bool) tls.Certificate {
	t.Helper()
	key := newKey(t)
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{
		SerialNumber: serial, Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	if server {
		tmpl.ExtKeyUsage, tmpl.IPAddresses = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, []net.IP{net.IPv4(127, 0, 0, 1)}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}
}

func writePEM(t *testing.T, path, kind string, der []byte) {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestMutualTLS: with TLS configured, the gateway's ports speak only TLS;
// with a client CA, a registered client certificate authenticates its
// partner without an API key, an unregistered one is refused, one from
// another CA does not get through the handshake, and API keys keep working.
func TestMutualTLS(t *testing.T) {
	s := startSystem(t)
	dir := t.TempDir()
	serverCA, clientCA, otherCA := newCA(t, "server CA"), newCA(t, "client CA"), newCA(t, "other CA")
	serverCert := serverCA.issue(t, "gateway", true)
	registered, unregistered := clientCA.issue(t, "stadt-waiblingen", false), clientCA.issue(t, "unknown", false)
	foreign := otherCA.issue(t, "stadt-waiblingen", false)

	cfg := s.config()
	cfg.TLSCertFile, cfg.TLSKeyFile, cfg.TLSClientCAFile =
		filepath.Join(dir, "server.pem"), filepath.Join(dir, "server.key"), filepath.Join(dir, "client-ca.pem")
	writePEM(t, cfg.TLSCertFile, "CERTIFICATE", serverCert.Certificate[0])
	keyDER, err := x509.MarshalPKCS8PrivateKey(serverCert.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	writePEM(t, cfg.TLSKeyFile, "PRIVATE KEY", keyDER)
	writePEM(t, cfg.TLSClientCAFile, "CERTIFICATE", clientCA.cert.Raw)
	// The partners of the system, and one that calls with its certificate.
	partners, err := os.ReadFile(s.partnersFile)
	if err != nil {
		t.Fatal(err)
	}
	cfg.PartnersFile = filepath.Join(dir, "partners.yaml")
	partners = fmt.Appendf(partners, "  - id: waiblingen\n    scopes: [measures.read]\n    acts_for: {actor: waiblingen}\n    client_certificates: [%q]\n",
		strings.ToUpper(auth.CertificateFingerprint(registered.Certificate[0])))
	if err := os.WriteFile(cfg.PartnersFile, partners, 0o600); err != nil {
		t.Fatal(err)
	}
	gw := s.startGateway(cfg)

	roots := x509.NewCertPool()
	roots.AddCert(serverCA.cert)
	dial := func(cert *tls.Certificate) pb.MeasureServiceClient {
		t.Helper()
		tc := &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
		if cert != nil {
			// Sent even if the server asks for another CA's certificates.
			tc.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return cert, nil }
		}
		conn, err := grpc.NewClient(gw.svc.GRPCAddr(), grpc.WithTransportCredentials(credentials.NewTLS(tc)))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		return pb.NewMeasureServiceClient(conn)
	}
	ctx := t.Context()
	if _, err := dial(&registered).ListMeasures(ctx, &pb.ListMeasuresRequest{}); err != nil {
		t.Fatalf("registered certificate: %v", err)
	}
	// Its scopes are the partner's: no more.
	_, err = dial(&registered).CreateActor(ctx, &pb.CreateActorRequest{ActorId: "waiblingen",
		Actor: &pb.Actor{Kind: pb.ActorKind_ACTOR_KIND_MUNICIPALITY, DisplayName: "Waiblingen"}})
	wantCode(t, err, codes.PermissionDenied)
	_, err = dial(&unregistered).ListMeasures(ctx, &pb.ListMeasuresRequest{})
	wantCode(t, err, codes.Unauthenticated)
	_, err = dial(&foreign).ListMeasures(ctx, &pb.ListMeasuresRequest{})
	wantCode(t, err, codes.Unavailable) // the handshake fails
	_, err = dial(nil).ListMeasures(ctx, &pb.ListMeasuresRequest{})
	wantCode(t, err, codes.Unauthenticated)
	// API keys keep working over TLS, with or without a certificate; the
	// key decides.
	withKey := metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+s.keys[kreis])
	if _, err := dial(nil).ListMeasures(withKey, &pb.ListMeasuresRequest{}); err != nil {
		t.Fatalf("API key over TLS: %v", err)
	}
	if _, err := dial(&registered).CreateActor(withKey, &pb.CreateActorRequest{ActorId: "waiblingen",
		Actor: &pb.Actor{Kind: pb.ActorKind_ACTOR_KIND_MUNICIPALITY, DisplayName: "Waiblingen"}}); err != nil {
		t.Fatalf("API key with a certificate: %v", err)
	}
	// Plaintext gets nowhere.
	plain, err := grpc.NewClient(gw.svc.GRPCAddr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	_, err = pb.NewMeasureServiceClient(plain).ListMeasures(withKey, &pb.ListMeasuresRequest{})
	wantCode(t, err, codes.Unavailable)

	// The HTTP port speaks TLS with the same certificate; JSON calls reach
	// the gRPC side over the gateway's own TLS connection.
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}}}
	req, _ := http.NewRequest(http.MethodPost, "https://"+gw.svc.HTTPAddr()+"/integration.measures.v1.MeasureService/ListMeasures", strings.NewReader("{}"))
	req.Header.Set("Authorization", "Bearer "+s.keys[reader])
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("JSON over TLS: %d", resp.StatusCode)
	}
	if resp, err := http.Get("http://" + gw.svc.HTTPAddr() + "/integration.measures.v1.MeasureService/ListMeasures"); err == nil {
		resp.Body.Close()
		if resp.StatusCode < 400 {
			t.Fatalf("plain HTTP answered %d", resp.StatusCode)
		}
	}
}

// TestTLSConfigurationIsValidated: TLS settings that cannot work stop the
// start with an error.
func TestTLSConfigurationIsValidated(t *testing.T) {
	s := startSystem(t)
	for name, mod := range map[string]func(*service.Config){
		"cert without key":      func(c *service.Config) { c.TLSCertFile = "cert.pem" },
		"key without cert":      func(c *service.Config) { c.TLSKeyFile = "key.pem" },
		"client CA without TLS": func(c *service.Config) { c.TLSClientCAFile = "ca.pem" },
		"missing files":         func(c *service.Config) { c.TLSCertFile, c.TLSKeyFile = "/nonexistent/cert.pem", "/nonexistent/key.pem" },
	} {
		cfg := s.config()
		mod(&cfg)
		if svc, err := service.Start(t.Context(), cfg, quiet); err == nil {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			_ = svc.Serve(ctx)
			t.Errorf("%s: started", name)
		}
	}
}
