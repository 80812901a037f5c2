package service

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"

	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/peer"
)

// tlsEnabled reports whether the gateway serves TLS.
func (c Config) tlsEnabled() bool { return c.TLSCertFile != "" || c.TLSKeyFile != "" }

// validateTLS reports TLS settings that cannot work.
func (c Config) validateTLS() error {
	if (c.TLSCertFile == "") != (c.TLSKeyFile == "") {
		return errors.New("TLS_CERT_FILE and TLS_KEY_FILE go together")
	}
	if c.TLSClientCAFile != "" && !c.tlsEnabled() {
		return errors.New("TLS_CLIENT_CA_FILE needs TLS_CERT_FILE and TLS_KEY_FILE: client certificates are only asked for over TLS")
	}
	return nil
}

// serverTLS is the TLS configuration of the gRPC and HTTP ports, nil for
// plaintext. With a client CA, a client may present a certificate it
// issued (mutual TLS); it need not, so partners with API keys keep
// working. Which partner a certificate stands for is the partners file's
// business (client_certificates), not the CA's.
func (c Config) serverTLS() (*tls.Config, error) {
	if !c.tlsEnabled() {
		return nil, nil
	}
	cert, err := tls.LoadX509KeyPair(c.TLSCertFile, c.TLSKeyFile)
	if err != nil {
		return nil, fmt.Errorf("TLS_CERT_FILE, TLS_KEY_FILE: %w", err)
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	if c.TLSClientCAFile != "" {
		pem, err := os.ReadFile(c.TLSClientCAFile)
		if err != nil {
			return nil, fmt.Errorf("TLS_CLIENT_CA_FILE: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("TLS_CLIENT_CA_FILE: %s holds no PEM certificate", c.TLSClientCAFile)
		}
		cfg.ClientCAs, cfg.ClientAuth = pool, tls.VerifyClientCertIfGiven
	}
	return cfg, nil
}

// selfTLS is the TLS configuration of the HTTP side's connection to the
// gateway's own gRPC port: it trusts exactly the gateway's own certificate,
// whatever names the certificate carries (the connection goes to a
// loopback or wildcard address, which the certificate need not name).
func selfTLS(server *tls.Config) *tls.Config {
	own := server.Certificates[0].Certificate[0]
	return &tls.Config{
		MinVersion: tls.VersionTLS12,
		// Name and chain checks are replaced by the comparison below.
		InsecureSkipVerify: true,
		VerifyConnection: func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 || !bytes.Equal(cs.PeerCertificates[0].Raw, own) {
				return errors.New("the gateway's own port presented another certificate")
			}
			return nil
		},
	}
}

// clientCertificate is the certificate a call's client presented and TLS
// verified against the client CA.
func clientCertificate(ctx context.Context) ([]byte, bool) {
	p, ok := peer.FromContext(ctx)
	if !ok {
		return nil, false
	}
	info, ok := p.AuthInfo.(credentials.TLSInfo)
	if !ok || len(info.State.VerifiedChains) == 0 || len(info.State.PeerCertificates) == 0 {
		return nil, false
	}
	return info.State.PeerCertificates[0].Raw, true
}
