package sandbox

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// InitName is argv[0] of the re-executed binary that sets the namespace
// up; MaybeInit acts only on it.
const InitName = "rvendor-sandbox-init"

// initFD is the descriptor on which the init reports a failure to the
// parent; it is close-on-exec, so EOF without data means the command was
// executed.
const initFD = 3

// Modes of the init process, argv[1].
const (
	modeRun   = "run"
	modeCheck = "check"
)

// forwardedSignals are passed on to the command while it runs.
func forwardedSignals() []os.Signal {
	return []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT}
}

// UserNS says when to create a user namespace along with the network one.
type UserNS int

const (
	// UserNSAuto creates one when not root (needed for the permission),
	// and tries one as root only if a plain network namespace is refused.
	UserNSAuto UserNS = iota
	// UserNSAlways always creates one (tests use it to exercise the
	// unprivileged path as root).
	UserNSAlways
)

// Command is what Run runs.
type Command struct {
	Path string   // absolute path of the executable
	Args []string // argv, Args[0] included
	Env  []string // the command's whole environment
	Dir  string   // working folder; "" for the current one

	Stdin          io.Reader
	Stdout, Stderr io.Writer

	UserNS UserNS
}

// UnavailableError reports that this system will not make the sandbox.
// The command was not run.
type UnavailableError struct {
	Op     string // what failed: "clone(CLONE_NEWUSER|CLONE_NEWNET)", "bringing lo up"
	Err    error
	Reason string // the likely cause and what to do; may be empty
}

func (e *UnavailableError) Error() string {
	msg := fmt.Sprintf("cannot make a network namespace: %s: %v", e.Op, e.Err)
	if e.Reason != "" {
		msg += " (" + e.Reason + ")"
	}
	return msg
}

func (e *UnavailableError) Unwrap() error { return e.Err }

// Info describes a sandbox that was made.
type Info struct {
	UserNS     bool     // a user namespace was used
	Interfaces []string // the interfaces seen inside: ["lo"]
}

// Run runs c in a new network namespace and returns its exit status
// (128+N when killed by signal N). The error is non-nil only when the
// command could not be run in the sandbox; then the status is meaningless.
func Run(c Command) (int, *Info, error) {
	args := append([]string{InitName, modeRun, c.Path}, c.Args...)
	return start(c, args)
}

// Check makes a sandbox, brings loopback up, lists the interfaces inside
// and returns, running nothing. A nil error means Run can work here.
func Check(mode UserNS) (*Info, error) {
	var out bytes.Buffer
	_, info, err := start(Command{Env: []string{}, Stdout: &out, Stderr: &out, UserNS: mode}, []string{InitName, modeCheck})
	return info, err
}

// opLoopback is the Op of an UnavailableError from the init.
const opLoopback = "bringing lo up"

func start(c Command, args []string) (int, *Info, error) {
	userns := os.Geteuid() != 0 || c.UserNS == UserNSAlways
	status, info, err := startOnce(c, args, userns)
	var ue *UnavailableError
	if err != nil && !userns && errors.As(err, &ue) {
		// Root without the right to make a network namespace (a
		// container): a user namespace may still be allowed.
		if s2, i2, err2 := startOnce(c, args, true); err2 == nil {
			return s2, i2, nil
		}
	}
	return status, info, err
}

func startOnce(c Command, args []string, userns bool) (int, *Info, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return 0, nil, fmt.Errorf("sandbox: %w", err)
	}
	defer r.Close()
	cmd := &exec.Cmd{
		Path:       "/proc/self/exe",
		Args:       args,
		Env:        c.Env,
		Dir:        c.Dir,
		Stdin:      c.Stdin,
		Stdout:     c.Stdout,
		Stderr:     c.Stderr,
		ExtraFiles: []*os.File{w}, // initFD
	}
	attr := &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWNET}
	op := "clone(CLONE_NEWNET)"
	if userns {
		uid, gid := os.Getuid(), os.Getgid()
		attr.Cloneflags |= syscall.CLONE_NEWUSER
		attr.UidMappings = []syscall.SysProcIDMap{{ContainerID: uid, HostID: uid, Size: 1}}
		attr.GidMappings = []syscall.SysProcIDMap{{ContainerID: gid, HostID: gid, Size: 1}}
		attr.GidMappingsEnableSetgroups = false
		// Kept across the exec of the init only, which drops it again.
		attr.AmbientCaps = []uintptr{unix.CAP_NET_ADMIN}
		op = "clone(CLONE_NEWUSER|CLONE_NEWNET)"
	}
	cmd.SysProcAttr = attr

	// Forward signals from before the start, so none is lost.
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, forwardedSignals()...)
	defer signal.Stop(sigs)

	if err := cmd.Start(); err != nil {
		w.Close()
		return 0, nil, &UnavailableError{Op: op, Err: err, Reason: diagnose(userns, err)}
	}
	w.Close()
	done := make(chan struct{})
	defer close(done)
	go func() {
		for {
			select {
			case s := <-sigs:
				_ = cmd.Process.Signal(s)
			case <-done:
				return
			}
		}
	}()

	report, _ := io.ReadAll(io.LimitReader(r, 64<<10))
	werr := cmd.Wait()
	msg := string(report)
	switch {
	case strings.HasPrefix(msg, "ERR lo "):
		return 0, nil, &UnavailableError{Op: opLoopback, Err: errors.New(strings.TrimSpace(strings.TrimPrefix(msg, "ERR lo "))),
			Reason: "the namespace was made but its loopback could not be configured"}
	case strings.HasPrefix(msg, "ERR "):
		return 0, nil, errors.New("sandbox: " + strings.TrimSpace(strings.TrimPrefix(msg, "ERR ")))
	case strings.HasPrefix(msg, "OK "):
		info := &Info{UserNS: userns, Interfaces: strings.Fields(strings.TrimPrefix(msg, "OK "))}
		return 0, info, nil
	}
	info := &Info{UserNS: userns, Interfaces: []string{"lo"}}
	if werr == nil {
		return 0, info, nil
	}
	var ee *exec.ExitError
	if !errors.As(werr, &ee) {
		return 0, nil, fmt.Errorf("sandbox: waiting for %s: %w", filepath.Base(c.Path), werr)
	}
	ws, ok := ee.Sys().(syscall.WaitStatus)
	if ok && ws.Signaled() {
		return 128 + int(ws.Signal()), info, nil
	}
	return ee.ExitCode(), info, nil
}

// diagnose names the likely reason a namespace was refused.
func diagnose(userns bool, err error) string {
	var hints []string
	read := func(p string) string {
		b, err := os.ReadFile(p)
		if err != nil {
			return ""
		}
		return strings.TrimSpace(string(b))
	}
	if userns {
		if read("/proc/sys/kernel/unprivileged_userns_clone") == "0" {
			hints = append(hints, "unprivileged user namespaces are disabled: sysctl kernel.unprivileged_userns_clone=1")
		}
		if read("/proc/sys/user/max_user_namespaces") == "0" {
			hints = append(hints, "user namespaces are disabled: sysctl user.max_user_namespaces is 0")
		}
		if read("/proc/sys/kernel/apparmor_restrict_unprivileged_userns") == "1" {
			hints = append(hints, "AppArmor restricts unprivileged user namespaces: kernel.apparmor_restrict_unprivileged_userns=1")
		}
	}
	if read("/proc/sys/user/max_net_namespaces") == "0" {
		hints = append(hints, "network namespaces are disabled: sysctl user.max_net_namespaces is 0")
	}
	if errors.Is(err, syscall.EINVAL) {
		hints = append(hints, "the kernel may lack CONFIG_NET_NS or CONFIG_USER_NS")
	}
	if len(hints) == 0 && errors.Is(err, syscall.EPERM) {
		hints = append(hints, "a container runtime's seccomp or capability policy may forbid namespaces; run the build on the host, or allow unshare")
	}
	return strings.Join(hints, "; ")
}

// MaybeInit is the sandbox's init: when this process was started by Run
// (argv[0] is InitName) it sets the namespace up, execs the command and
// never returns. Otherwise it returns at once. Call it first thing in
// main, or from an init function, in every binary that calls Run.
func MaybeInit() {
	if filepath.Base(os.Args[0]) != InitName || len(os.Args) < 2 {
		return
	}
	report := os.NewFile(initFD, "sandbox-report")
	unix.CloseOnExec(initFD)
	fail := func(format string, args ...any) {
		fmt.Fprintf(report, "ERR "+format, args...)
		os.Exit(127)
	}
	if err := loopbackUp(); err != nil {
		fail("lo %v", err)
	}
	ifaces, err := interfaces()
	if err != nil {
		fail("listing the namespace's interfaces: %v", err)
	}
	if len(ifaces) != 1 || ifaces[0] != "lo" {
		fail("the namespace has interfaces other than lo: %s", strings.Join(ifaces, " "))
	}
	// Give up the capabilities the command must not have.
	_ = unix.Prctl(unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
	for _, c := range []uintptr{unix.CAP_SYS_ADMIN, unix.CAP_NET_ADMIN} {
		_ = unix.Prctl(unix.PR_CAPBSET_DROP, c, 0, 0, 0)
	}
	// Run raised CAP_NET_ADMIN in the inheritable set for the ambient one;
	// a root command would inherit it from there.
	if err := clearInheritable(); err != nil {
		fail("dropping capabilities: %v", err)
	}
	switch os.Args[1] {
	case modeCheck:
		fmt.Fprintf(report, "OK %s", strings.Join(ifaces, " "))
		os.Exit(0)
	case modeRun:
		if len(os.Args) < 4 {
			fail("no command")
		}
		err := unix.Exec(os.Args[2], os.Args[3:], os.Environ())
		fail("running %s: %v", os.Args[2], err)
	}
	fail("unknown init mode %q", os.Args[1])
}

func clearInheritable() error {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return fmt.Errorf("capget: %w", err)
	}
	if data[0].Inheritable == 0 && data[1].Inheritable == 0 {
		return nil
	}
	data[0].Inheritable, data[1].Inheritable = 0, 0
	if err := unix.Capset(&hdr, &data[0]); err != nil {
		return fmt.Errorf("capset: %w", err)
	}
	return nil
}

// loopbackUp sets IFF_UP on lo in this process's network namespace.
func loopbackUp() error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("socket: %w", err)
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq("lo")
	if err != nil {
		return err
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return fmt.Errorf("SIOCGIFFLAGS lo: %w", err)
	}
	ifr.SetUint16(ifr.Uint16() | unix.IFF_UP)
	if err := unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr); err != nil {
		return fmt.Errorf("SIOCSIFFLAGS lo: %w", err)
	}
	return nil
}

// interfaces lists the interfaces of this process's network namespace
// from /proc/self/net/dev.
func interfaces() ([]string, error) {
	data, err := os.ReadFile("/proc/self/net/dev")
	if err != nil {
		return nil, err
	}
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 0; sc.Scan(); n++ {
		if n < 2 {
			continue // two header lines
		}
		name, _, ok := strings.Cut(sc.Text(), ":")
		if ok {
			out = append(out, strings.TrimSpace(name))
		}
	}
	return out, sc.Err()
}
