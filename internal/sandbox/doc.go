// Package sandbox runs a command in a new network namespace in which the
// only interface is loopback, up: the command can use 127.0.0.1 and ::1
// but cannot reach any other host.
//
// How: a multithreaded Go process cannot unshare itself safely, so Run
// re-executes this binary (/proc/self/exe) with argv[0] InitName in a new
// network namespace (clone with CLONE_NEWNET, and CLONE_NEWUSER when not
// root); MaybeInit, which the binary calls before anything else, brings
// loopback up there and execs the command in place of itself.
//
// Invariants:
//   - The command never runs with network: if the namespace cannot be
//     made, loopback cannot be brought up, or any interface other than lo
//     is seen, Run returns an error (an *UnavailableError where the
//     system refuses namespaces) and the command is not started.
//   - Without root the command keeps the caller's uid and gid and gets no
//     capabilities (the one used to bring lo up is dropped before exec).
//     As root it runs as root, without CAP_SYS_ADMIN and CAP_NET_ADMIN,
//     so it cannot setns back into the host's network or add interfaces.
//   - Run forwards SIGINT, SIGTERM, SIGHUP and SIGQUIT to the command and
//     returns its exit status, 128+N when signal N killed it, as a shell
//     reports it.
//   - The sandbox keeps the filesystem, other namespaces and the
//     environment it is given: it guards against accidental network use by
//     a build, not against a hostile program.
package sandbox
