package checks

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

const overlays = "../k8s/overlays"

// expectations of each overlay.
var overlayExpect = map[string]Expect{
	"local": {
		MinReplicas: 1, StreamReplicas: "3",
		NoPDB: map[string]string{"redis": "one replica by design (deploy/k8s/base/redis.yaml)"},
	},
	"production": {
		MinReplicas: 2, StreamReplicas: "3",
		// deploy/README.md, "Secrets": created once beside the manifests.
		ExternalSecrets: []string{"integrationsplan-principal", "redis-auth", "gateway-partners"},
		NoPDB:           map[string]string{"redis": "one replica by design (deploy/k8s/base/redis.yaml)"},
	},
}

// rendered caches each overlay's YAML: the negative tests decode fresh
// copies of it and break them.
var rendered sync.Map

func render(t *testing.T, overlay string) []byte {
	t.Helper()
	if y, ok := rendered.Load(overlay); ok {
		return y.([]byte)
	}
	y, err := Render(filepath.Join(overlays, overlay))
	if err != nil {
		t.Fatal(err)
	}
	rendered.Store(overlay, y)
	return y
}

func decode(t *testing.T, overlay string) *Objects {
	t.Helper()
	o, err := Decode(render(t, overlay))
	if err != nil {
		t.Fatalf("overlay %s does not decode strictly into the Kubernetes API types:\n%v", overlay, err)
	}
	return o
}

func TestOverlaysPassTheChecks(t *testing.T) {
	entries, err := os.ReadDir(overlays)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if _, ok := overlayExpect[e.Name()]; !ok && e.IsDir() {
			t.Errorf("overlay %s has no expectations in this test", e.Name())
		}
	}
	for _, overlay := range []string{"local", "production"} {
		t.Run(overlay, func(t *testing.T) {
			o := decode(t, overlay)
			for _, p := range Check(o, overlayExpect[overlay]) {
				t.Error(p)
			}
			var containers int
			for _, w := range o.workloads() {
				containers += len(w.pod.Spec.Containers)
			}
			t.Logf("%s: %d objects, %d Deployments, %d StatefulSets (%d containers), %d PodDisruptionBudgets, %d NetworkPolicies checked",
				overlay, o.Count(), len(o.Deployments), len(o.StatefulSets), containers, len(o.PDBs), len(o.NetworkPolicies))
			// The checks are only as good as what they see: every service
			// and the gateway must be there.
			for _, name := range []string{"measures", "education", "labour", "gateway"} {
				if !slices.ContainsFunc(o.Deployments, func(d *appsv1.Deployment) bool { return d.Name == name }) {
					t.Errorf("no Deployment %s rendered", name)
				}
			}
		})
	}
}

// A field the API type does not know (here a misspelt one) fails the
// strict decoding instead of being dropped silently, as kubectl apply
// without --validate=strict would.
func TestDecodeRejectsUnknownFields(t *testing.T) {
	y := string(render(t, "production"))
	broken := strings.Replace(y, "readOnlyRootFilesystem: true", "readOnlyRootFileSystem: true", 1)
	if broken == y {
		t.Fatal("production renders no readOnlyRootFilesystem to misspell")
	}
	_, err := Decode([]byte(broken))
	if err == nil || !strings.Contains(err.Error(), "readOnlyRootFileSystem") {
		t.Fatalf("misspelt field decoded without error: %v", err)
	}
	if _, err := Decode([]byte("apiVersion: v1\nkind: Pod\nmetadata: {name: x}\n")); err == nil {
		t.Fatal("a kind the checks do not know decoded without error")
	}
}

// Each deliberate break of a correct render is caught, with a message that
// names it.
func TestChecksCatchBrokenManifests(t *testing.T) {
	container := func(o *Objects, name string) *corev1.Container {
		for _, d := range o.Deployments {
			if d.Name == name {
				return &d.Spec.Template.Spec.Containers[0]
			}
		}
		t.Fatalf("no Deployment %s", name)
		return nil
	}
	policy := func(o *Objects, name string) *networkingv1.NetworkPolicy {
		for _, np := range o.NetworkPolicies {
			if np.Name == name {
				return np
			}
		}
		t.Fatalf("no NetworkPolicy %s", name)
		return nil
	}
	for _, tc := range []struct {
		name string
		brk  func(o *Objects)
		want string
	}{
		{"container without limits", func(o *Objects) { container(o, "measures").Resources.Limits = nil }, "Deployment measures container measures: no cpu limits"},
		{"container without memory request", func(o *Objects) { delete(container(o, "education").Resources.Requests, corev1.ResourceMemory) }, "education: no memory requests"},
		{"no readiness probe", func(o *Objects) { container(o, "gateway").ReadinessProbe = nil }, "gateway: no readinessProbe"},
		{"HTTP instead of gRPC liveness", func(o *Objects) {
			c := container(o, "labour")
			c.LivenessProbe.GRPC = nil
			c.LivenessProbe.TCPSocket = &corev1.TCPSocketAction{}
		}, "labour: livenessProbe is not a gRPC probe"},
		{"probe on an undeclared port", func(o *Objects) { container(o, "measures").ReadinessProbe.GRPC.Port = 9999 }, "probes port 9999"},
		{"writable root filesystem", func(o *Objects) { f := false; container(o, "measures").SecurityContext.ReadOnlyRootFilesystem = &f }, "measures: readOnlyRootFilesystem is not true"},
		{"privilege escalation", func(o *Objects) { container(o, "gateway").SecurityContext.AllowPrivilegeEscalation = nil }, "gateway: allowPrivilegeEscalation is not false"},
		{"capabilities kept", func(o *Objects) { container(o, "labour").SecurityContext.Capabilities.Drop = nil }, "labour: capabilities do not drop ALL"},
		{"root allowed", func(o *Objects) {
			for _, d := range o.Deployments {
				if d.Name == "education" {
					d.Spec.Template.Spec.SecurityContext.RunAsNonRoot = nil
					d.Spec.Template.Spec.Containers[0].SecurityContext.RunAsNonRoot = nil
				}
			}
		}, "education: runAsNonRoot is not true"},
		{"no PDB", func(o *Objects) {
			o.PDBs = slices.DeleteFunc(o.PDBs, func(p *policyv1.PodDisruptionBudget) bool { return p.Name == "education" })
		}, "Deployment education: no PodDisruptionBudget"},
		{"no default deny", func(o *Objects) {
			o.NetworkPolicies = slices.DeleteFunc(o.NetworkPolicies, func(p *networkingv1.NetworkPolicy) bool { return p.Name == "default-deny" })
		}, "no default-deny NetworkPolicy"},
		{"a service open to outside", func(o *Objects) { policy(o, "measures").Spec.Ingress[0].From = nil }, "NetworkPolicy measures ingress rule 0 admits traffic from outside to pods other than the gateway"},
		{"gateway admin port open to outside", func(o *Objects) {
			np := policy(o, "gateway")
			np.Spec.Ingress[0].Ports = append(np.Spec.Ingress[0].Ports, networkingv1.NetworkPolicyPort{Port: ptrIntOrString(7280)})
		}, "opens the admin port 7280 to outside"},
		{"monitoring reaches gRPC", func(o *Objects) {
			np := policy(o, "allow-monitoring")
			np.Spec.Ingress[0].Ports = append(np.Spec.Ingress[0].Ports, networkingv1.NetworkPolicyPort{Port: ptrIntOrString(7101)})
		}, "admits another namespace on port 7101"},
		{"NATS fsyncs every two minutes", func(o *Objects) {
			for _, cm := range o.ConfigMaps {
				if strings.HasPrefix(cm.Name, "nats-config") {
					cm.Data["nats.conf"] = strings.Replace(cm.Data["nats.conf"], "sync_interval: always", "sync_interval: 2m", 1)
				}
			}
		}, "has no `sync_interval: always`"},
		{"one replica in production", func(o *Objects) { one := int32(1); o.Deployments[0].Spec.Replicas = &one }, "1 replicas, want at least 2"},
		{"streams with one replica", func(o *Objects) {
			for _, cm := range o.ConfigMaps {
				if strings.HasPrefix(cm.Name, "platform-config") {
					cm.Data["STREAM_REPLICAS"] = "1"
				}
			}
		}, `STREAM_REPLICAS="1", want "3"`},
		{"grace period too short", func(o *Objects) {
			g := int64(10)
			o.Deployments[0].Spec.Template.Spec.TerminationGracePeriodSeconds = &g
		}, "not above DRAIN_DELAY + SHUTDOWN_TIMEOUT"},
		{"Secret missing", func(o *Objects) {
			c := container(o, "measures")
			c.EnvFrom = append(c.EnvFrom, corev1.EnvFromSource{SecretRef: &corev1.SecretEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "typo"}}})
		}, "Secret typo is neither rendered nor created beside the manifests"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := decode(t, "production") // a fresh copy
			tc.brk(o)
			got := Check(o, overlayExpect["production"])
			if !slices.ContainsFunc(got, func(p string) bool { return strings.Contains(p, tc.want) }) {
				t.Fatalf("broken manifests passed: want a problem containing %q, got %q", tc.want, got)
			}
		})
	}
}

func TestJetstreamSyncsAlways(t *testing.T) {
	for conf, want := range map[string]bool{
		"jetstream {\n  sync_interval: always\n}\n":                        true,
		"jetstream: {\n  store_dir: /data\n  sync_interval: \"always\"\n}": true,
		"jetstream {\n  # sync_interval: always\n}\n":                      false,
		"jetstream {\n  sync_interval: 2m\n}\n":                            false,
		"sync_interval: always\njetstream {\n}\n":                          false,
		"cluster {\n  sync_interval: always\n}\njetstream {}\n":            false,
	} {
		if got := jetstreamSyncsAlways(conf); got != want {
			t.Errorf("jetstreamSyncsAlways(%q) = %v, want %v", conf, got, want)
		}
	}
}

func ptrIntOrString(port int32) *intstr.IntOrString {
	v := intstr.FromInt32(port)
	return &v
}
