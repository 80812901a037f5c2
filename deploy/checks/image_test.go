package checks

import (
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

const dockerfile = "../docker/Dockerfile"

// binaries are the images built from the Dockerfile (SERVICE build
// argument), one per binary under services/<name>/cmd/<name>.
var binaries = []string{"measures", "education", "labour", "gateway"}

var minimalBases = []string{"gcr.io/distroless/static-debian12:nonroot"}

// buildVersion is passed as VERSION and must end up in the binary.
const buildVersion = "v0.0.0-imagecheck"

// built holds, per binary, the environment variables it reads, from the
// binaries the Dockerfile's build stage produced on this machine.
var built struct {
	once  sync.Once
	reads map[string]map[string]bool
	err   error
}

// binaryEnv builds every image's binary with the Dockerfile's build stage,
// checks it is static and carries its version, and returns the variables
// each reads. The build runs once for all tests of the package.
func binaryEnv(t *testing.T) map[string]map[string]bool {
	t.Helper()
	built.once.Do(func() {
		d, err := ParseDockerfile(dockerfile)
		if err != nil {
			built.err = err
			return
		}
		repo, _ := filepath.Abs("../..")
		out, err := os.MkdirTemp("", "imagecheck")
		if err != nil {
			built.err = err
			return
		}
		defer os.RemoveAll(out)
		built.reads = map[string]map[string]bool{}
		for _, svc := range binaries {
			dir := filepath.Join(out, svc)
			paths := map[string]string{"/src": repo, "/out": dir}
			args := map[string]string{"SERVICE": svc, "VERSION": buildVersion, "REVISION": "imagecheck"}
			if built.err = d.BuildOnHost("build", args, paths); built.err != nil {
				return
			}
			bin := filepath.Join(dir, "service")
			if built.err = StaticBinary(bin); built.err != nil {
				return
			}
			if b, err := os.ReadFile(bin); err != nil || !bytes.Contains(b, []byte(buildVersion)) {
				built.err = fmt.Errorf("%s: the VERSION build argument did not reach the binary (process.version)", svc)
				return
			}
			if built.reads[svc], built.err = EnvVars(bin); built.err != nil {
				return
			}
		}
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.reads
}

func TestImageDefinition(t *testing.T) {
	d, err := ParseDockerfile(dockerfile)
	if err != nil {
		t.Fatal(err)
	}
	if p := d.CheckImage(minimalBases); len(p) > 0 {
		t.Errorf("%s:\n  %s", dockerfile, strings.Join(p, "\n  "))
	}
	reads := binaryEnv(t)
	for _, svc := range binaries {
		if !reads[svc]["GRPC_ADDR"] || !reads[svc]["ADMIN_ADDR"] {
			t.Errorf("%s reads %v; want at least GRPC_ADDR and ADMIN_ADDR (the image must set them to 0.0.0.0)", svc, reads[svc])
		}
	}
}

func TestImageChecksCatchBrokenDockerfiles(t *testing.T) {
	for name, c := range map[string]struct{ file, want string }{
		"single stage": {"FROM golang:1.26\nRUN go build ./...\n", "multi-stage"},
		"root user": {"FROM golang AS build\nFROM gcr.io/distroless/static-debian12:nonroot\nUSER root\n" +
			`ENTRYPOINT ["/s"]` + "\n", `USER "root"`},
		"shell entrypoint": {"FROM golang AS build\nFROM gcr.io/distroless/static-debian12:nonroot\nUSER 65532\nENTRYPOINT /s\n", "exec form"},
		"fat base":         {"FROM golang AS build\nFROM debian:12\nUSER 65532\n" + `ENTRYPOINT ["/s"]` + "\n", "FROM debian:12"},
		"no version label": {"FROM golang AS build\nFROM gcr.io/distroless/static-debian12:nonroot\nUSER 65532\n" + `ENTRYPOINT ["/s"]` + "\n", "org.opencontainers.image.version"},
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "Dockerfile")
			if err := os.WriteFile(path, []byte(c.file), 0o600); err != nil {
				t.Fatal(err)
			}
			d, err := ParseDockerfile(path)
			if err != nil {
				t.Fatal(err)
			}
			p := strings.Join(d.CheckImage(minimalBases), "\n")
			if !strings.Contains(p, c.want) {
				t.Errorf("problems %q do not mention %q", p, c.want)
			}
		})
	}
}

func TestBuildOnHostRefusesUnknownInstructions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "Dockerfile")
	if err := os.WriteFile(path, []byte("FROM golang AS build\nCOPY . /src\nRUN true\nFROM scratch\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	d, err := ParseDockerfile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.BuildOnHost("build", nil, nil); err == nil || !strings.Contains(err.Error(), "CopyCommand") {
		t.Errorf("BuildOnHost = %v, want a refusal of COPY", err)
	}
}

func TestComposeFile(t *testing.T) {
	p, err := LoadCompose("../compose.yaml", nil)
	if err != nil {
		t.Fatalf("compose.yaml does not load against the Compose specification: %v", err)
	}
	e := ComposeExpect{Dockerfile: "deploy/docker/Dockerfile", Reads: binaryEnv(t), Public: "gateway", NATSNodes: 3}
	if probs := CheckCompose(p, e); len(probs) > 0 {
		t.Errorf("compose.yaml:\n  %s", strings.Join(probs, "\n  "))
	}
}

func TestComposeChecksCatchBrokenFiles(t *testing.T) {
	reads := map[string]map[string]bool{"measures": {"GRPC_ADDR": true}}
	base := `
name: t
services:
  measures:
    build: {context: .., dockerfile: Dockerfile, args: {SERVICE: measures}}
    read_only: true
    cap_drop: [ALL]
    security_opt: ["no-new-privileges:true"]
    environment: {GRPC_ADDR: "0.0.0.0:1"%s}
%s`
	for name, c := range map[string]struct{ env, extra, want string }{
		"unknown variable": {env: `, GRPC_ADRR: "x"`, want: "GRPC_ADRR"},
		"published port": {extra: `    ports: ["127.0.0.1:1:1"]
`, want: "only gateway may be reachable"},
		"short grace period": {env: `, DRAIN_DELAY: 5s, SHUTDOWN_TIMEOUT: 10s`, want: "stop_grace_period"},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "compose.yaml")
			body := strings.Replace(base, "%s", c.env, 1)
			body = strings.Replace(body, "%s", c.extra, 1)
			if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
				t.Fatal(err)
			}
			p, err := LoadCompose(path, nil)
			if err != nil {
				t.Fatal(err)
			}
			probs := strings.Join(CheckCompose(p, ComposeExpect{Dockerfile: "Dockerfile", Reads: reads, Public: "gateway"}), "\n")
			if !strings.Contains(probs, c.want) {
				t.Errorf("problems %q do not mention %q", probs, c.want)
			}
		})
	}
}

func TestOverlaysSetOnlyVariablesTheBinariesRead(t *testing.T) {
	reads := binaryEnv(t)
	for overlay := range overlayExpect {
		for _, p := range CheckEnvNames(decode(t, overlay), reads) {
			t.Errorf("%s: %s", overlay, p)
		}
	}
}

func TestEnvNameChecksCatchStaleVariables(t *testing.T) {
	reads := map[string]map[string]bool{}
	for svc, r := range binaryEnv(t) {
		reads[svc] = r
	}
	o := decode(t, "local")
	var labour *appsv1.Deployment
	for _, d := range o.Deployments {
		if d.Name == "labour" {
			labour = d
		}
	}
	if labour == nil {
		t.Fatal("no labour Deployment")
	}
	c := &labour.Spec.Template.Spec.Containers[0]
	c.Env = append(c.Env, corev1.EnvVar{Name: "EDUCATON_ADDR", Value: "x"}, corev1.EnvVar{Name: "NATS_URL", Value: "$(NATS_HOST):4222"})
	for _, cm := range o.ConfigMaps {
		if strings.HasPrefix(cm.Name, "platform-config") {
			cm.Data["LOG_LEVLE"] = "debug"
		}
	}
	got := strings.Join(CheckEnvNames(o, reads), "\n")
	for _, want := range []string{"EDUCATON_ADDR", "LOG_LEVLE", "$(NATS_HOST)"} {
		if !strings.Contains(got, want) {
			t.Errorf("problems %q do not mention %s", got, want)
		}
	}
}
