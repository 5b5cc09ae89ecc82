//go:build linux

package sandbox_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rvendor/rvendor/internal/sandbox"
)

// helperEnv selects what the test binary does when the tests run it.
const helperEnv = "SANDBOX_TEST_HELPER"

func TestMain(m *testing.M) {
	sandbox.MaybeInit()
	switch os.Getenv(helperEnv) {
	case "netprobe":
		os.Exit(netprobe(os.Args[1:]))
	case "expect-unavailable":
		// Run by TestUnavailable where namespaces are disabled.
		status, _, err := sandbox.Run(sandbox.Command{Path: "/bin/sh", Args: []string{"sh", "-c", "echo RAN"},
			Env: os.Environ(), Stdout: os.Stdout, Stderr: os.Stderr})
		var ue *sandbox.UnavailableError
		if !errors.As(err, &ue) {
			fmt.Printf("no UnavailableError: status %d, err %v\n", status, err)
			os.Exit(1)
		}
		fmt.Println(err)
		os.Exit(0)
	case "run-netprobe":
		// Run by TestUnprivileged as an unprivileged user: sandbox this
		// binary as the netprobe.
		self, _ := os.Executable()
		env := append(os.Environ(), helperEnv+"=netprobe")
		status, _, err := sandbox.Run(sandbox.Command{Path: self, Args: append([]string{"netprobe"}, os.Args[1:]...),
			Env: env, Stdout: os.Stdout, Stderr: os.Stderr})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(99)
		}
		os.Exit(status)
	}
	os.Exit(m.Run())
}

// netprobe runs inside the sandbox: every outside address must refuse a
// TCP connection, and a listener on loopback must work. It prints what it
// saw and exits 0 only when both hold.
func netprobe(outside []string) int {
	ok := true
	fmt.Printf("uid=%d\n", os.Getuid())
	if st, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, l := range strings.Split(string(st), "\n") {
			if v, ok := strings.CutPrefix(l, "CapEff:"); ok {
				fmt.Printf("capeff=%s\n", strings.TrimSpace(v))
			}
		}
	}
	for _, a := range outside {
		c, err := net.DialTimeout("tcp", a, 3*time.Second)
		if err == nil {
			c.Close()
			fmt.Printf("outside %s: CONNECTED\n", a)
			ok = false
			continue
		}
		fmt.Printf("outside %s: failed: %v\n", a, err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Printf("loopback listen: %v\n", err)
		return 1
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err == nil {
			c.Write([]byte("pong\n"))
			c.Close()
		}
	}()
	c, err := net.DialTimeout("tcp", ln.Addr().String(), 3*time.Second)
	if err != nil {
		fmt.Printf("loopback dial: %v\n", err)
		return 1
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	c.Close()
	if err != nil || line != "pong\n" {
		fmt.Printf("loopback read: %q %v\n", line, err)
		return 1
	}
	fmt.Printf("loopback %s: ok\n", ln.Addr())
	if !ok {
		return 1
	}
	return 0
}

// outsideListeners listens on 127.0.0.1 and on a non-loopback address of
// this host, outside any sandbox, and checks they accept from here.
func outsideListeners(t *testing.T) []string {
	t.Helper()
	addrs := []string{"127.0.0.1:0"}
	if ifaddrs, err := net.InterfaceAddrs(); err == nil {
		for _, a := range ifaddrs {
			if ipn, ok := a.(*net.IPNet); ok && !ipn.IP.IsLoopback() && ipn.IP.To4() != nil {
				addrs = append(addrs, net.JoinHostPort(ipn.IP.String(), "0"))
				break
			}
		}
	}
	var out []string
	for _, a := range addrs {
		ln, err := net.Listen("tcp", a)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ln.Close() })
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				c.Close()
			}
		}()
		c, err := net.DialTimeout("tcp", ln.Addr().String(), 3*time.Second)
		if err != nil {
			t.Fatalf("the outside listener %s does not accept from outside the sandbox: %v", ln.Addr(), err)
		}
		c.Close()
		out = append(out, ln.Addr().String())
	}
	return out
}

func self(t *testing.T) string {
	p, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func runProbe(t *testing.T, mode sandbox.UserNS) {
	outside := outsideListeners(t)
	var out bytes.Buffer
	status, info, err := sandbox.Run(sandbox.Command{
		Path: self(t), Args: append([]string{"netprobe"}, outside...),
		Env:    append(os.Environ(), helperEnv+"=netprobe"),
		Stdout: &out, Stderr: &out, UserNS: mode,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("user namespace: %v\n%s", info.UserNS, out.String())
	if status != 0 {
		t.Fatalf("netprobe exited %d", status)
	}
	checkNoAdminCaps(t, out.String())
	if len(outside) < 2 {
		t.Log("no non-loopback address on this host: only 127.0.0.1 outside was tried")
	}
}

// TestNetworkIsolated: a TCP connect to listeners outside the namespace
// (on 127.0.0.1 and on the host's own address) fails inside it, while a
// loopback listener inside works.
func TestNetworkIsolated(t *testing.T) { runProbe(t, sandbox.UserNSAuto) }

// TestNetworkIsolatedUserNS is the same through a user namespace, the
// path taken when not root.
func TestNetworkIsolatedUserNS(t *testing.T) { runProbe(t, sandbox.UserNSAlways) }

// TestUnprivileged runs the probe as the unprivileged user nobody (via
// setpriv), as a maintainer without root would. It needs root to switch
// users, and unprivileged user namespaces.
func TestUnprivileged(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to become nobody; TestNetworkIsolated already ran without root")
	}
	setpriv, err := exec.LookPath("setpriv")
	if err != nil {
		t.Skip("setpriv not installed")
	}
	// A copy of this binary that nobody can run.
	dir, err := os.MkdirTemp("", "sandbox-unpriv-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	os.Chmod(dir, 0o755)
	bin := filepath.Join(dir, "sandbox.test")
	data, err := os.ReadFile(self(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	outside := outsideListeners(t)
	cmd := exec.Command(setpriv, append([]string{"--reuid=65534", "--regid=65534", "--clear-groups", bin}, outside...)...)
	cmd.Env = []string{"PATH=/usr/bin:/bin", helperEnv + "=run-netprobe"}
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		if strings.Contains(string(out), "cannot make a network namespace") {
			t.Skipf("unprivileged user namespaces are not allowed here: %s", out)
		}
		t.Fatal(err)
	}
	checkNoAdminCaps(t, string(out))
	if !strings.Contains(string(out), "capeff=0000000000000000\n") {
		t.Errorf("the unprivileged command has capabilities")
	}
	if !strings.Contains(string(out), "uid=65534\n") {
		t.Errorf("the command did not keep the caller's uid")
	}
}

// checkNoAdminCaps fails unless the probe's effective capabilities lack
// CAP_NET_ADMIN (12) and CAP_SYS_ADMIN (21).
func checkNoAdminCaps(t *testing.T, out string) {
	t.Helper()
	_, rest, ok := strings.Cut(out, "capeff=")
	if !ok {
		t.Fatal("the probe did not print its capabilities")
	}
	hex, _, _ := strings.Cut(rest, "\n")
	caps, err := strconv.ParseUint(hex, 16, 64)
	if err != nil {
		t.Fatal(err)
	}
	if caps&(1<<12|1<<21) != 0 {
		t.Errorf("the command kept CAP_NET_ADMIN or CAP_SYS_ADMIN: CapEff=%s", hex)
	}
}

// TestUnavailable: where namespaces are disabled (here: inside a user
// namespace whose max_net_namespaces and max_user_namespaces are 0), Run
// fails with an UnavailableError naming the reason, and never runs the
// command.
func TestUnavailable(t *testing.T) {
	unshare, err := exec.LookPath("unshare")
	if err != nil {
		t.Skip("unshare not installed")
	}
	script := `echo 0 > /proc/sys/user/max_net_namespaces && echo 0 > /proc/sys/user/max_user_namespaces && exec "$0"`
	cmd := exec.Command(unshare, "--user", "--map-root-user", "sh", "-c", script, self(t))
	cmd.Env = append(os.Environ(), helperEnv+"=expect-unavailable")
	out, err := cmd.CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		if strings.Contains(string(out), "unshare:") || strings.Contains(string(out), "Permission denied") {
			t.Skipf("cannot set up a namespace-less environment here: %s", out)
		}
		t.Fatal(err)
	}
	if strings.Contains(string(out), "RAN") {
		t.Error("the command ran without a sandbox")
	}
	if !strings.Contains(string(out), "user.max_net_namespaces is 0") {
		t.Error("the error does not give the reason")
	}
}

func TestExitStatus(t *testing.T) {
	for _, tt := range []struct {
		script string
		want   int
	}{
		{"exit 0", 0},
		{"exit 7", 7},
		{"kill -TERM $$", 128 + int(syscall.SIGTERM)},
		{"kill -KILL $$", 128 + int(syscall.SIGKILL)},
	} {
		status, _, err := sandbox.Run(sandbox.Command{Path: "/bin/sh", Args: []string{"sh", "-c", tt.script}, Env: os.Environ()})
		if err != nil {
			t.Fatal(err)
		}
		if status != tt.want {
			t.Errorf("sh -c %q: status %d, want %d", tt.script, status, tt.want)
		}
	}
	_, _, err := sandbox.Run(sandbox.Command{Path: "/nonexistent/tool", Args: []string{"tool"}, Env: os.Environ()})
	if err == nil || !strings.Contains(err.Error(), "/nonexistent/tool") {
		t.Errorf("a missing command: err = %v", err)
	}
}

// TestSignals: signals sent to the parent reach the command; its status
// is passed back (a trap's exit status, or 128+N when the signal kills).
func TestSignals(t *testing.T) {
	for _, tt := range []struct {
		sig    syscall.Signal
		script string
		want   int
	}{
		{syscall.SIGTERM, `trap 'exit 42' TERM; echo ready; while :; do sleep 0.05; done`, 42},
		{syscall.SIGHUP, `trap 'exit 43' HUP; echo ready; while :; do sleep 0.05; done`, 43},
		{syscall.SIGINT, `echo ready; exec sleep 30`, 128 + int(syscall.SIGINT)},
	} {
		pr, pw := io.Pipe()
		type result struct {
			status int
			err    error
		}
		done := make(chan result, 1)
		go func() {
			status, _, err := sandbox.Run(sandbox.Command{Path: "/bin/sh", Args: []string{"sh", "-c", tt.script}, Env: os.Environ(), Stdout: pw})
			pw.Close()
			done <- result{status, err}
		}()
		line, err := bufio.NewReader(pr).ReadString('\n')
		if err != nil || line != "ready\n" {
			t.Fatalf("%v: %q %v", tt.sig, line, err)
		}
		go io.Copy(io.Discard, pr)
		if err := syscall.Kill(os.Getpid(), tt.sig); err != nil {
			t.Fatal(err)
		}
		select {
		case r := <-done:
			if r.err != nil {
				t.Fatal(r.err)
			}
			if r.status != tt.want {
				t.Errorf("%v: status %d, want %d", tt.sig, r.status, tt.want)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("%v was not forwarded", tt.sig)
		}
	}
}

func TestCheck(t *testing.T) {
	for _, mode := range []sandbox.UserNS{sandbox.UserNSAuto, sandbox.UserNSAlways} {
		info, err := sandbox.Check(mode)
		if err != nil {
			t.Fatal(err)
		}
		if len(info.Interfaces) != 1 || info.Interfaces[0] != "lo" {
			t.Errorf("interfaces inside: %q", info.Interfaces)
		}
	}
	var ue *sandbox.UnavailableError
	e := error(&sandbox.UnavailableError{Op: "clone", Err: syscall.EPERM, Reason: "why"})
	if !errors.As(e, &ue) || !errors.Is(e, syscall.EPERM) {
		t.Error("UnavailableError does not unwrap")
	}
}

// TestCargoOfflineBuild builds a crate with no dependencies with this
// machine's cargo inside the sandbox, with a fresh CARGO_HOME.
func TestCargoOfflineBuild(t *testing.T) {
	cargo, err := exec.LookPath("cargo")
	if err != nil {
		t.Skip("cargo not installed")
	}
	dir := t.TempDir()
	if err := os.CopyFS(filepath.Join(dir, "hello"), os.DirFS("testdata/hello")); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(),
		"CARGO_HOME="+filepath.Join(dir, "cargo-home"),
		"CARGO_TARGET_DIR="+filepath.Join(dir, "target"),
		"CARGO_NET_OFFLINE=true")
	if os.Getenv("RUSTUP_HOME") == "" {
		if home, err := os.UserHomeDir(); err == nil {
			env = append(env, "RUSTUP_HOME="+filepath.Join(home, ".rustup"))
		}
	}
	var out bytes.Buffer
	status, _, err := sandbox.Run(sandbox.Command{Path: cargo, Args: []string{"cargo", "build", "--offline", "--locked"},
		Env: env, Dir: filepath.Join(dir, "hello"), Stdout: &out, Stderr: &out})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s", out.String())
	if status != 0 {
		t.Fatalf("cargo build --offline exited %d", status)
	}
	got, err := exec.Command(filepath.Join(dir, "target", "debug", "hello")).Output()
	if err != nil || string(got) != "hello from the sandbox\n" {
		t.Errorf("the built program printed %q, %v", got, err)
	}
}
