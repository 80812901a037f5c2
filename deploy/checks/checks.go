package checks

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// Expect is what one overlay promises beyond what every overlay must meet.
type Expect struct {
	// MinReplicas of every Deployment (the services and the gateway).
	MinReplicas int32
	// StreamReplicas is the STREAM_REPLICAS every Deployment must get.
	StreamReplicas string
	// ExternalSecrets are Secrets created beside the manifests (production
	// does not render its Secrets); a reference to any other Secret or
	// ConfigMap must resolve within the render.
	ExternalSecrets []string
	// NoPDB names workloads that need no PodDisruptionBudget, with the
	// reason.
	NoPDB map[string]string
}

// Public is the label value (app.kubernetes.io/name) of the only pods that
// may admit traffic from outside the cluster.
const Public = "gateway"

const nameLabel = "app.kubernetes.io/name"

// workload is a Deployment or StatefulSet.
type workload struct {
	kind, name string
	replicas   int32
	pod        corev1.PodTemplateSpec
}

func (o *Objects) workloads() []workload {
	var out []workload
	for _, d := range o.Deployments {
		out = append(out, workload{"Deployment", d.Name, replicas(d.Spec.Replicas), d.Spec.Template})
	}
	for _, s := range o.StatefulSets {
		out = append(out, workload{"StatefulSet", s.Name, replicas(s.Spec.Replicas), s.Spec.Template})
	}
	return out
}

func replicas(r *int32) int32 {
	if r == nil {
		return 1
	}
	return *r
}

// Check returns every problem found; none means the objects pass.
func Check(o *Objects, e Expect) []string {
	var p problems
	if len(o.Deployments) == 0 {
		p.add("no Deployment rendered")
	}
	for _, w := range o.workloads() {
		checkPod(&p, o, w, e)
	}
	checkPDBs(&p, o, e)
	checkNetworkPolicies(&p, o)
	checkNATS(&p, o, e)
	checkDeployments(&p, o, e)
	return p
}

type problems []string

func (p *problems) add(format string, args ...any) { *p = append(*p, fmt.Sprintf(format, args...)) }

func checkPod(p *problems, o *Objects, w workload, e Expect) {
	spec := w.pod.Spec
	where := w.kind + " " + w.name
	podNonRoot := spec.SecurityContext != nil && isTrue(spec.SecurityContext.RunAsNonRoot)
	if len(spec.Containers) == 0 {
		p.add("%s: no containers", where)
	}
	all := append(slices.Clone(spec.InitContainers), spec.Containers...)
	for i, c := range all {
		at := fmt.Sprintf("%s container %s", where, c.Name)
		init := i < len(spec.InitContainers)
		if !init {
			// Our services are probed natively over gRPC health.
			grpc := w.kind == "Deployment"
			checkProbe(p, at, "readinessProbe", c.ReadinessProbe, c, grpc)
			checkProbe(p, at, "livenessProbe", c.LivenessProbe, c, grpc)
			if c.StartupProbe != nil {
				checkProbe(p, at, "startupProbe", c.StartupProbe, c, grpc)
			}
		}
		for _, res := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
			for kind, list := range map[string]corev1.ResourceList{"requests": c.Resources.Requests, "limits": c.Resources.Limits} {
				if q, ok := list[res]; !ok || q.IsZero() {
					p.add("%s: no %s %s", at, res, kind)
				}
			}
			if req, lim := c.Resources.Requests[res], c.Resources.Limits[res]; !req.IsZero() && !lim.IsZero() && req.Cmp(lim) > 0 {
				p.add("%s: %s request %s above its limit %s", at, res, req.String(), lim.String())
			}
		}
		sc := c.SecurityContext
		if sc == nil {
			p.add("%s: no securityContext", at)
			continue
		}
		if !podNonRoot && !isTrue(sc.RunAsNonRoot) {
			p.add("%s: runAsNonRoot is not true (container or pod)", at)
		}
		if sc.RunAsNonRoot != nil && !*sc.RunAsNonRoot {
			p.add("%s: runAsNonRoot: false", at)
		}
		if sc.RunAsUser != nil && *sc.RunAsUser == 0 {
			p.add("%s: runAsUser: 0", at)
		}
		if !isTrue(sc.ReadOnlyRootFilesystem) {
			p.add("%s: readOnlyRootFilesystem is not true", at)
		}
		if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
			p.add("%s: allowPrivilegeEscalation is not false", at)
		}
		if isTrue(sc.Privileged) {
			p.add("%s: privileged", at)
		}
		if sc.Capabilities == nil || !slices.Contains(sc.Capabilities.Drop, "ALL") {
			p.add("%s: capabilities do not drop ALL", at)
		} else if len(sc.Capabilities.Add) > 0 {
			p.add("%s: capabilities add %v", at, sc.Capabilities.Add)
		}
		checkRefs(p, o, at, spec, c, e)
	}
}

func checkProbe(p *problems, at, name string, pr *corev1.Probe, c corev1.Container, grpc bool) {
	if pr == nil {
		p.add("%s: no %s", at, name)
		return
	}
	if !grpc {
		if pr.Exec == nil && pr.HTTPGet == nil && pr.TCPSocket == nil && pr.GRPC == nil {
			p.add("%s: %s has no handler", at, name)
		}
		return
	}
	if pr.GRPC == nil {
		p.add("%s: %s is not a gRPC probe", at, name)
		return
	}
	if !slices.ContainsFunc(c.Ports, func(cp corev1.ContainerPort) bool { return cp.ContainerPort == pr.GRPC.Port }) {
		p.add("%s: %s probes port %d, which the container does not declare", at, name, pr.GRPC.Port)
	}
}

// checkRefs checks that every ConfigMap and Secret the pod uses is rendered
// (or, for a Secret, created beside the manifests).
func checkRefs(p *problems, o *Objects, at string, spec corev1.PodSpec, c corev1.Container, e Expect) {
	cm := func(name string) {
		if !slices.ContainsFunc(o.ConfigMaps, func(m *corev1.ConfigMap) bool { return m.Name == name }) {
			p.add("%s: ConfigMap %s is not rendered", at, name)
		}
	}
	secret := func(name string) {
		if !slices.Contains(e.ExternalSecrets, name) && !slices.ContainsFunc(o.Secrets, func(s *corev1.Secret) bool { return s.Name == name }) {
			p.add("%s: Secret %s is neither rendered nor created beside the manifests", at, name)
		}
	}
	for _, f := range c.EnvFrom {
		if f.ConfigMapRef != nil {
			cm(f.ConfigMapRef.Name)
		}
		if f.SecretRef != nil {
			secret(f.SecretRef.Name)
		}
	}
	for _, v := range c.Env {
		if v.ValueFrom == nil {
			continue
		}
		if r := v.ValueFrom.ConfigMapKeyRef; r != nil {
			cm(r.Name)
		}
		if r := v.ValueFrom.SecretKeyRef; r != nil {
			secret(r.Name)
		}
	}
	for _, v := range spec.Volumes {
		if v.ConfigMap != nil {
			cm(v.ConfigMap.Name)
		}
		if v.Secret != nil {
			secret(v.Secret.SecretName)
		}
	}
}

func isTrue(b *bool) bool { return b != nil && *b }

func checkPDBs(p *problems, o *Objects, e Expect) {
	for _, w := range o.workloads() {
		if _, ok := e.NoPDB[w.name]; ok {
			continue
		}
		found := false
		for _, pdb := range o.PDBs {
			sel, err := metav1.LabelSelectorAsSelector(pdb.Spec.Selector)
			if err != nil {
				p.add("PodDisruptionBudget %s: %v", pdb.Name, err)
				continue
			}
			if pdb.Spec.Selector != nil && !sel.Empty() && sel.Matches(labels.Set(w.pod.Labels)) {
				found = true
				if pdb.Spec.MaxUnavailable == nil && pdb.Spec.MinAvailable == nil {
					p.add("PodDisruptionBudget %s: neither maxUnavailable nor minAvailable", pdb.Name)
				}
			}
		}
		if !found {
			p.add("%s %s: no PodDisruptionBudget selects its pods", w.kind, w.name)
		}
	}
}

// checkNetworkPolicies requires a default deny of both directions, and that
// only the gateway admits traffic from outside the namespace, apart from
// the monitoring namespace scraping admin ports.
func checkNetworkPolicies(p *problems, o *Objects) {
	defaultDeny := false
	for _, np := range o.NetworkPolicies {
		s := np.Spec
		if isEmpty(s.PodSelector) && slices.Contains(s.PolicyTypes, networkingv1.PolicyTypeIngress) &&
			slices.Contains(s.PolicyTypes, networkingv1.PolicyTypeEgress) && len(s.Ingress) == 0 && len(s.Egress) == 0 {
			defaultDeny = true
		}
	}
	if !defaultDeny {
		p.add("no default-deny NetworkPolicy (empty podSelector, policyTypes Ingress and Egress, no rules)")
	}
	admin := adminPorts(o)
	publicOpen := false
	for _, np := range o.NetworkPolicies {
		selectsOnlyPublic := len(np.Spec.PodSelector.MatchExpressions) == 0 &&
			maps.Equal(np.Spec.PodSelector.MatchLabels, map[string]string{nameLabel: Public})
		for i, rule := range np.Spec.Ingress {
			at := fmt.Sprintf("NetworkPolicy %s ingress rule %d", np.Name, i)
			external, otherNamespace := false, false
			if len(rule.From) == 0 {
				external = true
			}
			for _, peer := range rule.From {
				switch {
				case peer.IPBlock != nil:
					external = true
				case peer.NamespaceSelector != nil && isEmpty(*peer.NamespaceSelector):
					external = true // every namespace
				case peer.NamespaceSelector != nil:
					otherNamespace = true
				}
			}
			switch {
			case external && !selectsOnlyPublic:
				p.add("%s admits traffic from outside to pods other than the %s", at, Public)
			case external && len(rule.Ports) == 0:
				p.add("%s admits traffic from outside on every port", at)
			case external:
				for _, port := range rule.Ports {
					if port.Port != nil && admin[port.Port.IntValue()] {
						p.add("%s opens the admin port %s to outside", at, port.Port.String())
					}
				}
				publicOpen = true
			case otherNamespace:
				// Only monitoring, only admin and monitor ports.
				if len(rule.Ports) == 0 {
					p.add("%s admits another namespace on every port", at)
				}
				for _, port := range rule.Ports {
					if port.Port == nil || !admin[port.Port.IntValue()] {
						p.add("%s admits another namespace on port %v, not an admin or monitor port", at, port.Port)
					}
				}
			}
		}
	}
	if !publicOpen {
		p.add("no NetworkPolicy admits traffic from outside to the %s", Public)
	}
}

func isEmpty(s metav1.LabelSelector) bool {
	return len(s.MatchLabels) == 0 && len(s.MatchExpressions) == 0
}

// adminPorts are the container ports named admin or monitor (metrics,
// pprof, NATS monitoring).
func adminPorts(o *Objects) map[int]bool {
	out := map[int]bool{}
	for _, w := range o.workloads() {
		for _, c := range w.pod.Spec.Containers {
			for _, port := range c.Ports {
				if port.Name == "admin" || port.Name == "monitor" {
					out[int(port.ContainerPort)] = true
				}
			}
		}
	}
	return out
}

var syncAlways = regexp.MustCompile(`^sync_interval\s*[:=]?\s*"?always"?$`)

// checkNATS requires the NATS StatefulSet's configuration to fsync every
// write before acknowledging it, and enough nodes for the streams' replicas.
func checkNATS(p *problems, o *Objects, e Expect) {
	var nats *workload
	for _, w := range o.workloads() {
		if w.kind == "StatefulSet" && w.name == "nats" {
			nats = &w
		}
	}
	if nats == nil {
		p.add("no StatefulSet nats")
		return
	}
	if want, err := strconv.Atoi(e.StreamReplicas); err == nil && int(nats.replicas) < want {
		p.add("StatefulSet nats: %d nodes for streams of %d replicas", nats.replicas, want)
	}
	found := false
	for _, v := range nats.pod.Spec.Volumes {
		if v.ConfigMap == nil {
			continue
		}
		for _, cm := range o.ConfigMaps {
			if cm.Name != v.ConfigMap.Name {
				continue
			}
			for file, text := range cm.Data {
				if !strings.HasSuffix(file, ".conf") {
					continue
				}
				found = true
				if !jetstreamSyncsAlways(text) {
					p.add("ConfigMap %s: %s has no `sync_interval: always` in its jetstream block", cm.Name, file)
				}
			}
		}
	}
	if !found {
		p.add("StatefulSet nats: mounts no ConfigMap with a .conf file")
	}
}

// jetstreamSyncsAlways reports whether a NATS configuration sets
// sync_interval: always inside its jetstream block (comments ignored).
func jetstreamSyncsAlways(conf string) bool {
	var blocks []string
	for line := range strings.Lines(conf) {
		if i := strings.IndexAny(line, "#"); i >= 0 {
			line = line[:i]
		}
		line = strings.TrimSpace(line)
		switch {
		case strings.HasSuffix(line, "{"):
			name := strings.TrimSpace(strings.TrimRight(strings.TrimSuffix(line, "{"), " :="))
			blocks = append(blocks, name)
		case line == "}":
			if len(blocks) > 0 {
				blocks = blocks[:len(blocks)-1]
			}
		case syncAlways.MatchString(line):
			if len(blocks) == 1 && blocks[0] == "jetstream" {
				return true
			}
		}
	}
	return false
}

// checkDeployments checks replicas, STREAM_REPLICAS and the shutdown budget
// of the services and the gateway.
func checkDeployments(p *problems, o *Objects, e Expect) {
	for _, d := range o.Deployments {
		if r := replicas(d.Spec.Replicas); r < e.MinReplicas {
			p.add("Deployment %s: %d replicas, want at least %d", d.Name, r, e.MinReplicas)
		}
		for _, c := range d.Spec.Template.Spec.Containers {
			env := effectiveEnv(o, c)
			if got := env["STREAM_REPLICAS"]; got != e.StreamReplicas {
				p.add("Deployment %s container %s: STREAM_REPLICAS=%q, want %q", d.Name, c.Name, got, e.StreamReplicas)
			}
			drain, err1 := time.ParseDuration(env["DRAIN_DELAY"])
			shutdown, err2 := time.ParseDuration(env["SHUTDOWN_TIMEOUT"])
			if err1 != nil || err2 != nil {
				p.add("Deployment %s container %s: DRAIN_DELAY and SHUTDOWN_TIMEOUT must be set (%q, %q)", d.Name, c.Name, env["DRAIN_DELAY"], env["SHUTDOWN_TIMEOUT"])
				continue
			}
			grace := 30 * time.Second // Kubernetes' default
			if g := d.Spec.Template.Spec.TerminationGracePeriodSeconds; g != nil {
				grace = time.Duration(*g) * time.Second
			}
			if grace <= drain+shutdown {
				p.add("Deployment %s: terminationGracePeriodSeconds %s not above DRAIN_DELAY + SHUTDOWN_TIMEOUT (%s)", d.Name, grace, drain+shutdown)
			}
		}
	}
}

// effectiveEnv is the container's environment as far as the render
// determines it: envFrom ConfigMaps in order, then env values.
func effectiveEnv(o *Objects, c corev1.Container) map[string]string {
	env := map[string]string{}
	for _, f := range c.EnvFrom {
		if f.ConfigMapRef == nil {
			continue
		}
		for _, cm := range o.ConfigMaps {
			if cm.Name == f.ConfigMapRef.Name {
				for k, v := range cm.Data {
					env[f.Prefix+k] = v
				}
			}
		}
	}
	for _, v := range c.Env {
		if v.ValueFrom == nil {
			env[v.Name] = v.Value
		}
	}
	return env
}

// kubeletRef is a $(VAR) reference the kubelet expands in an env value.
var kubeletRef = regexp.MustCompile(`\$\(([A-Za-z_][A-Za-z0-9_]*)\)`)

// CheckEnvNames lists the variables set for a service container that no
// binary reads; reads maps the image's repository name
// (integrationsplan/<binary>) to them. A container's own env must be read by
// its binary; a ConfigMap shared through envFrom (platform-config) by at
// least one binary of the containers that import it.
func CheckEnvNames(o *Objects, reads map[string]map[string]bool) []string {
	var p problems
	sharedReads := map[string]map[string]bool{} // ConfigMap -> read by a consumer
	for _, d := range o.Deployments {
		for _, c := range d.Spec.Template.Spec.Containers {
			binary, ok := strings.CutPrefix(strings.SplitN(c.Image, ":", 2)[0], "integrationsplan/")
			if !ok {
				continue
			}
			r, ok := reads[binary]
			if !ok {
				p.add("Deployment %s container %s: image %s is not a binary of this repository", d.Name, c.Name, c.Image)
				continue
			}
			for _, f := range c.EnvFrom {
				if f.ConfigMapRef != nil {
					if sharedReads[f.ConfigMapRef.Name] == nil {
						sharedReads[f.ConfigMapRef.Name] = map[string]bool{}
					}
					for k := range r {
						sharedReads[f.ConfigMapRef.Name][strings.TrimPrefix(k, f.Prefix)] = true
					}
				}
			}
			set := map[string]string{}
			for _, v := range c.Env {
				set[v.Name] = v.Value
			}
			// A variable the kubelet expands into a later one, e.g.
			// REDIS_PASSWORD into REDIS_URL, is used even though the
			// binary does not read it; a reference to one not defined
			// before stays literal text.
			for i, v := range c.Env {
				for _, ref := range kubeletRef.FindAllStringSubmatch(v.Value, -1) {
					if !slices.ContainsFunc(c.Env[:i], func(e corev1.EnvVar) bool { return e.Name == ref[1] }) {
						p.add("Deployment %s container %s: %s refers to $(%s), which is not defined before it", d.Name, c.Name, v.Name, ref[1])
					}
					delete(set, ref[1])
				}
			}
			if unknown := UnknownEnv(set, r); len(unknown) > 0 {
				p.add("Deployment %s container %s sets %v, which its binary does not read", d.Name, c.Name, unknown)
			}
		}
	}
	for _, cm := range o.ConfigMaps {
		if r, imported := sharedReads[cm.Name]; imported {
			if unknown := UnknownEnv(cm.Data, r); len(unknown) > 0 {
				p.add("ConfigMap %s sets %v, which no binary importing it reads", cm.Name, unknown)
			}
		}
	}
	return p
}
