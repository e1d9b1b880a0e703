/* jobd-exec: the s6-style exec helper jobd spawns in front of a command when
 * the run needs an exec context posix_spawn cannot give (a user, groups,
 * rlimits, umask, nice, no_new_privs, stdin, environment files, a cgroup).
 * It changes its own process in a fixed order and then execvp()s the
 * command, so the pid, process group, signals and exit status are the
 * command's own; with --check it tests the run's conditions instead.  Any
 * failure is one line `jobd-exec: exec: REASON` on stderr and exit 127. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "exec.h"
#include "macro.h"
#include "strv.h"
#include "xmalloc.h"

static const char usage[] =
"usage: jobd-exec [OPTIONS] -- COMMAND [ARGS...]\n"
"       jobd-exec --check [OPTIONS] CONDITION...\n"
"  --error-fd N                also write a failure's reason to fd N\n"
"  --cgroup DIR                move into the cgroup v2 directory DIR\n"
"  --env-fd N                  the command's environment: NUL-separated\n"
"                              KEY=VALUE read from fd N (closed); without\n"
"                              it, jobd-exec's own environment\n"
"  --stdin-data TEXT           stdin reads TEXT\n"
"  --stdin-fd N                stdin is fd N (N is closed)\n"
"  --umask OCTAL               file mode creation mask\n"
"  --nice N                    nice level, -20..19\n"
"  --rlimit NAME=SOFT[:HARD]   resource limit (repeatable); NAME is one of\n"
"                              as core cpu data fsize locks memlock msgqueue\n"
"                              nice nofile nproc rss rtprio rttime\n"
"                              sigpending stack; values are numbers or\n"
"                              'infinity'; HARD defaults to SOFT\n"
"  --user USER                 user name or uid (sets HOME USER LOGNAME\n"
"                              SHELL)\n"
"  --group GROUP               primary group name or gid\n"
"  --supplementary-groups LIST comma-separated names or gids, exactly\n"
"  --chdir DIR                 working directory (as the user; ~: its\n"
"                              home)\n"
"  --stdin-file PATH           stdin reads PATH (opened as the user)\n"
"  --environment-file PATH     KEY=VALUE lines added to the environment,\n"
"                              read as the user (repeatable)\n"
"  --no-new-privileges         set no_new_privs\n"
"Options are applied in the order above, then HOME USER LOGNAME SHELL\n"
"of --user are set; any failure prints 'jobd-exec: exec: REASON' and\n"
"exits 127.\n"
"--check tests each CONDITION in order instead of running a command:\n"
"  --condition-path-exists PATH, --condition-directory-not-empty DIR,\n"
"  --condition-command CMD (/bin/sh -c, true when it exits 0)\n"
"It exits 0 when all hold; otherwise it prints 'condition_KEY=ARG is\n"
"false' and exits 1.\n";

static const struct {
	const char	*name;
	int		 resource;
} rlimit_names[] = {
	{ "as", RLIMIT_AS },
	{ "core", RLIMIT_CORE },
	{ "cpu", RLIMIT_CPU },
	{ "data", RLIMIT_DATA },
	{ "fsize", RLIMIT_FSIZE },
	{ "locks", RLIMIT_LOCKS },
	{ "memlock", RLIMIT_MEMLOCK },
	{ "msgqueue", RLIMIT_MSGQUEUE },
	{ "nice", RLIMIT_NICE },
	{ "nofile", RLIMIT_NOFILE },
	{ "nproc", RLIMIT_NPROC },
	{ "rss", RLIMIT_RSS },
	{ "rtprio", RLIMIT_RTPRIO },
	{ "rttime", RLIMIT_RTTIME },
	{ "sigpending", RLIMIT_SIGPENDING },
	{ "stack", RLIMIT_STACK },
};

struct exec_limit {
	int		 resource;
	const char	*arg;		/* as given, for messages */
	struct rlimit	 rl;
};

/* Everything the command line asks for; NULL or -1 means "leave it". */
struct exec_opts {
	const char	*cgroup;
	const char	*stdin_file;
	const char	*stdin_data;
	int		 stdin_fd;
	const char	*dir;
	long		 umask;
	bool		 set_nice;
	int		 nice;
	struct exec_limit limits[ELEMENTSOF(rlimit_names)];
	size_t		 nlimits;
	const char	*user;
	const char	*group;
	const char	*groups;
	bool		 no_new_privs;
	int		 env_fd;
	const char	*env_files[64];
	size_t		 nenv_files;
	bool		 check;
	struct exec_condition conditions[EXEC_MAX_CONDITIONS];
	size_t		 nconditions;
	char		**argv;
};

/* The --error-fd descriptor: the one piece of state die() needs. */
static int error_fd = -1;

/* Prints the reason as one line on stderr (and --error-fd) and exits 127. */
void
die(const char *fmt, ...)
{
	char	 reason[1024];
	va_list	 ap;
	char	*p;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof reason, fmt, ap);
	va_end(ap);
	/* User strings must not break the one-line promise. */
	for (p = reason; *p != '\0'; p++) {
		if (iscntrl((unsigned char)*p))
			*p = '?';
	}
	dprintf(STDERR_FILENO, "jobd-exec: exec: %s\n", reason);
	if (error_fd >= 0)
		dprintf(error_fd, "exec: %s\n", reason);
	_exit(127);
}

/* Parses a whole string as an unsigned number in base, at most max. */
static bool
parse_ulong(const char *s, int base, unsigned long max, unsigned long *ret)
{
	unsigned long	 v;
	char		*end;

	if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	v = strtoul(s, &end, base);
	if (errno != 0 || *end != '\0' || v > max)
		return false;
	*ret = v;
	return true;
}

static int
parse_fd(const char *s)
{
	unsigned long	 v;

	if (!parse_ulong(s, 10, INT_MAX, &v))
		die("invalid file descriptor '%s'", s);
	return (int)v;
}

static bool
parse_rlim(const char *s, size_t len, rlim_t *ret)
{
	char		 buf[32];
	char		*end;
	unsigned long long v;

	if (len == 0 || len >= sizeof buf)
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (strcmp(buf, "infinity") == 0) {
		*ret = RLIM_INFINITY;
		return true;
	}
	if (!isdigit((unsigned char)buf[0]))
		return false;
	errno = 0;
	v = strtoull(buf, &end, 10);
	if (errno != 0 || *end != '\0' || v >= RLIM_INFINITY)
		return false;
	*ret = v;
	return true;
}

/* Adds NAME=SOFT[:HARD]; a later limit for the same NAME wins. */
static void
parse_limit(struct exec_opts *o, const char *arg)
{
	const char		*eq, *value, *colon;
	struct exec_limit	*l;
	struct rlimit		 rl;
	size_t			 i, n;

	if ((eq = strchr(arg, '=')) == NULL)
		die("invalid rlimit '%s'", arg);
	for (i = 0; i < ELEMENTSOF(rlimit_names); i++) {
		n = strlen(rlimit_names[i].name);
		if ((size_t)(eq - arg) == n &&
		    strncmp(arg, rlimit_names[i].name, n) == 0)
			break;
	}
	if (i == ELEMENTSOF(rlimit_names))
		die("invalid rlimit '%s'", arg);
	value = eq + 1;
	colon = strchr(value, ':');
	n = colon != NULL ? (size_t)(colon - value) : strlen(value);
	if (!parse_rlim(value, n, &rl.rlim_cur))
		die("invalid rlimit '%s'", arg);
	rl.rlim_max = rl.rlim_cur;
	if (colon != NULL && !parse_rlim(colon + 1, strlen(colon + 1),
	    &rl.rlim_max))
		die("invalid rlimit '%s'", arg);
	if (rl.rlim_cur > rl.rlim_max)
		die("invalid rlimit '%s': soft limit above hard limit", arg);

	for (n = 0; n < o->nlimits; n++) {
		if (o->limits[n].resource == rlimit_names[i].resource)
			break;
	}
	l = &o->limits[n];
	if (n == o->nlimits)
		o->nlimits++;
	l->resource = rlimit_names[i].resource;
	l->arg = arg;
	l->rl = rl;
}

enum {
	OPT_ERROR_FD = 256,
	OPT_CGROUP,
	OPT_STDIN_FILE,
	OPT_STDIN_DATA,
	OPT_STDIN_FD,
	OPT_CHDIR,
	OPT_UMASK,
	OPT_NICE,
	OPT_RLIMIT,
	OPT_USER,
	OPT_GROUP,
	OPT_GROUPS,
	OPT_NO_NEW_PRIVS,
	OPT_ENV_FD,
	OPT_ENV_FILE,
	OPT_CHECK,
	OPT_COND_EXISTS,
	OPT_COND_NOT_EMPTY,
	OPT_COND_COMMAND,
};

static const struct option long_options[] = {
	{ "error-fd", required_argument, NULL, OPT_ERROR_FD },
	{ "cgroup", required_argument, NULL, OPT_CGROUP },
	{ "stdin-file", required_argument, NULL, OPT_STDIN_FILE },
	{ "stdin-data", required_argument, NULL, OPT_STDIN_DATA },
	{ "stdin-fd", required_argument, NULL, OPT_STDIN_FD },
	{ "chdir", required_argument, NULL, OPT_CHDIR },
	{ "umask", required_argument, NULL, OPT_UMASK },
	{ "nice", required_argument, NULL, OPT_NICE },
	{ "rlimit", required_argument, NULL, OPT_RLIMIT },
	{ "user", required_argument, NULL, OPT_USER },
	{ "group", required_argument, NULL, OPT_GROUP },
	{ "supplementary-groups", required_argument, NULL, OPT_GROUPS },
	{ "no-new-privileges", no_argument, NULL, OPT_NO_NEW_PRIVS },
	{ "env-fd", required_argument, NULL, OPT_ENV_FD },
	{ "environment-file", required_argument, NULL, OPT_ENV_FILE },
	{ "check", no_argument, NULL, OPT_CHECK },
	{ "condition-path-exists", required_argument, NULL, OPT_COND_EXISTS },
	{ "condition-directory-not-empty", required_argument, NULL,
	    OPT_COND_NOT_EMPTY },
	{ "condition-command", required_argument, NULL, OPT_COND_COMMAND },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void
parse_condition(struct exec_opts *o, int opt, const char *arg)
{
	struct exec_condition *c;

	if (o->nconditions == EXEC_MAX_CONDITIONS)
		die("too many conditions");
	c = &o->conditions[o->nconditions++];
	c->arg = arg;
	c->type = opt == OPT_COND_EXISTS ? COND_PATH_EXISTS :
	    opt == OPT_COND_NOT_EMPTY ? COND_DIRECTORY_NOT_EMPTY :
	    COND_COMMAND;
}

/* Handles one option with an argument that needs checking. */
static void
parse_value(struct exec_opts *o, int opt, const char *arg)
{
	unsigned long	 v;
	char		*end;
	long		 n;

	switch (opt) {
	case OPT_ERROR_FD:
		error_fd = parse_fd(arg);
		/* Closed by a successful exec: the reader sees EOF. */
		if (fcntl(error_fd, F_SETFD, FD_CLOEXEC) < 0) {
			error_fd = -1;
			die("invalid error fd %s: %s", arg, strerror(errno));
		}
		break;
	case OPT_UMASK:
		if (!parse_ulong(arg, 8, 0777, &v))
			die("invalid umask '%s'", arg);
		o->umask = (long)v;
		break;
	case OPT_NICE:
		errno = 0;
		n = strtol(arg, &end, 10);
		if (errno != 0 || end == arg || *end != '\0' ||
		    n < -20 || n > 19)
			die("invalid nice level '%s'", arg);
		o->set_nice = true;
		o->nice = (int)n;
		break;
	case OPT_RLIMIT:
		parse_limit(o, arg);
		break;
	case OPT_ENV_FD:
		o->env_fd = parse_fd(arg);
		break;
	case OPT_ENV_FILE:
		if (o->nenv_files == ELEMENTSOF(o->env_files))
			die("too many environment files");
		o->env_files[o->nenv_files++] = arg;
		break;
	default:
		parse_condition(o, opt, arg);
		break;
	}
}

/* Fills o from argv; usage errors die like any other failure. */
static void
parse_args(struct exec_opts *o, int argc, char **argv)
{
	int	 opt, nstdin = 0;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:h", long_options,
	    NULL)) != -1) {
		switch (opt) {
		case OPT_CGROUP:	o->cgroup = optarg; break;
		case OPT_STDIN_FILE:	o->stdin_file = optarg; nstdin++; break;
		case OPT_STDIN_DATA:	o->stdin_data = optarg; nstdin++; break;
		case OPT_STDIN_FD:
			o->stdin_fd = parse_fd(optarg);
			nstdin++;
			break;
		case OPT_CHDIR:		o->dir = optarg; break;
		case OPT_USER:		o->user = optarg; break;
		case OPT_GROUP:		o->group = optarg; break;
		case OPT_GROUPS:	o->groups = optarg; break;
		case OPT_NO_NEW_PRIVS:	o->no_new_privs = true; break;
		case OPT_CHECK:		o->check = true; break;
		case 'h':
			fputs(usage, stdout);
			exit(0);
		case ':':
			die("option '%s' needs an argument", argv[optind - 1]);
		case '?':
			die("unknown option '%s'", argv[optind - 1]);
		default:
			parse_value(o, opt, optarg);
			break;
		}
	}
	if (nstdin > 1)
		die("only one of --stdin-file, --stdin-data, --stdin-fd");
	if (o->check && optind < argc)
		die("--check takes no command");
	if (!o->check && o->nconditions > 0)
		die("conditions are only checked with --check");
	if (!o->check && optind >= argc)
		die("no command given");
	o->argv = argv + optind;
}

/* Writes "0" (this process) into DIR/cgroup.procs. */
static void
apply_cgroup(const char *dir)
{
	char	 path[PATH_MAX];
	int	 fd;

	if ((size_t)snprintf(path, sizeof path, "%s/cgroup.procs", dir) >=
	    sizeof path)
		die("cannot move into cgroup '%s': %s", dir,
		    strerror(ENAMETOOLONG));
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) < 0 ||
	    write(fd, "0", 1) != 1)
		die("cannot move into cgroup '%s': %s", dir, strerror(errno));
	close(fd);
}

/* Puts fd on stdin and closes the original. */
static void
move_to_stdin(int fd, const char *what)
{
	if (fd == STDIN_FILENO)
		return;
	if (dup2(fd, STDIN_FILENO) < 0)
		die("cannot use %s as stdin: %s", what, strerror(errno));
	close(fd);
}

/* A sealed memfd holding data, rewound: no writer process, no pipe limit. */
static int
stdin_data_fd(const char *data)
{
	size_t	 len = strlen(data), off = 0;
	ssize_t	 n;
	int	 fd;

	fd = memfd_create("jobd-stdin", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		die("cannot create stdin data: %s", strerror(errno));
	while (off < len) {
		if ((n = write(fd, data + off, len - off)) < 0) {
			if (errno == EINTR)
				continue;
			die("cannot write stdin data: %s", strerror(errno));
		}
		off += (size_t)n;
	}
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK |
	    F_SEAL_GROW | F_SEAL_WRITE) < 0 || lseek(fd, 0, SEEK_SET) < 0)
		die("cannot seal stdin data: %s", strerror(errno));
	return fd;
}

/* stdin from data or a descriptor jobd gave: nothing to open. */
static void
apply_stdin(const struct exec_opts *o)
{
	char	 what[32];

	if (o->stdin_data != NULL)
		move_to_stdin(stdin_data_fd(o->stdin_data), "stdin data");
	else if (o->stdin_fd >= 0) {
		snprintf(what, sizeof what, "fd %d", o->stdin_fd);
		move_to_stdin(o->stdin_fd, what);
	}
}

/* stdin from a file, opened with the run's user's permissions: a file
 * only root may read stays unread. */
static void
apply_stdin_file(const struct exec_opts *o)
{
	int	 fd;

	if (o->stdin_file == NULL)
		return;
	fd = open(o->stdin_file, O_RDONLY | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		die("cannot open stdin file '%s': %s", o->stdin_file,
		    strerror(errno));
	move_to_stdin(fd, "stdin file");
}

/* umask, nice and rlimits: the attributes that need no lookup. */
static void
apply_limits(const struct exec_opts *o)
{
	size_t	 i;

	if (o->umask >= 0)
		umask((mode_t)o->umask);
	if (o->set_nice && setpriority(PRIO_PROCESS, 0, o->nice) < 0)
		die("cannot set nice level %d: %s", o->nice, strerror(errno));
	for (i = 0; i < o->nlimits; i++) {
		if (setrlimit(o->limits[i].resource, &o->limits[i].rl) < 0)
			die("cannot set rlimit '%s': %s", o->limits[i].arg,
			    strerror(errno));
	}
}

/* A group name or a number; numbers need no group entry. */
static gid_t
lookup_group(const char *name)
{
	struct group	*gr;
	unsigned long	 v;

	if ((gr = getgrnam(name)) != NULL)
		return gr->gr_gid;
	if (parse_ulong(name, 10, (gid_t)-2, &v))
		return (gid_t)v;
	die("no such group '%s'", name);
}

/* setgroups() to exactly the comma-separated list ("" for none). */
static void
set_groups(const char *list)
{
	gid_t		*gids;
	char		 name[256];
	const char	*p;
	size_t		 n = 0, len;

	/* On the heap: a small --rlimit stack= is already in force. */
	for (p = list, len = 1; *p != '\0'; p++)
		len += *p == ',';
	if ((gids = calloc(len, sizeof *gids)) == NULL)
		die("cannot set supplementary groups: %s", strerror(errno));
	for (p = list; *p != '\0'; p += len + (p[len] == ',')) {
		len = strcspn(p, ",");
		if (len == 0 || (p[len] == ',' && p[len + 1] == '\0'))
			die("invalid group list '%s'", list);
		if (len >= sizeof name)
			die("no such group '%.*s'", (int)len, p);
		memcpy(name, p, len);
		name[len] = '\0';
		gids[n++] = lookup_group(name);
	}
	if (setgroups(n, gids) < 0)
		die("cannot set supplementary groups: %s", strerror(errno));
	free(gids);
}

/* The passwd entry for a name or uid; its HOME USER LOGNAME SHELL kept
 * for the command's environment. */
static struct passwd *
lookup_user(const char *name, char **vars)
{
	struct passwd	*pw;
	unsigned long	 v;

	pw = getpwnam(name);
	if (pw == NULL && parse_ulong(name, 10, (uid_t)-2, &v))
		pw = getpwuid((uid_t)v);
	if (pw == NULL)
		die("no such user '%s'", name);
	vars[0] = xstrfmt("HOME=%s", pw->pw_dir[0] != '\0' ? pw->pw_dir :
	    "/");
	vars[1] = xstrfmt("USER=%s", pw->pw_name);
	vars[2] = xstrfmt("LOGNAME=%s", pw->pw_name);
	vars[3] = xstrfmt("SHELL=%s", pw->pw_shell[0] != '\0' ?
	    pw->pw_shell : "/bin/sh");
	return pw;
}

/* Groups first, then the gid, then the uid: each step needs root.  vars
 * gets the user's HOME USER LOGNAME SHELL (NULL without --user). */
static void
apply_user(const struct exec_opts *o, char **vars)
{
	struct passwd	*pw = NULL;
	char		*user = NULL;
	uid_t		 uid = 0;
	gid_t		 gid = getgid();

	if (o->user != NULL) {
		pw = lookup_user(o->user, vars);
		uid = pw->pw_uid;
		gid = pw->pw_gid;
		/* getgrnam() below may reuse getpwnam()'s buffers. */
		if ((user = strdup(pw->pw_name)) == NULL)
			die("cannot look up user '%s': %s", o->user,
			    strerror(errno));
	}
	if (o->group != NULL)
		gid = lookup_group(o->group);
	/* Unprivileged and asked to be itself: nothing to change. */
	if (geteuid() != 0 && o->groups == NULL &&
	    (o->user == NULL || uid == geteuid()) && gid == getegid()) {
		free(user);
		return;
	}
	if (o->groups != NULL)
		set_groups(o->groups);
	else if (user != NULL && initgroups(user, gid) < 0)
		die("cannot set supplementary groups of '%s': %s", user,
		    strerror(errno));
	if ((o->user != NULL || o->group != NULL) && setgid(gid) < 0)
		die("cannot set group id %u: %s", (unsigned)gid,
		    strerror(errno));
	if (o->user != NULL && setuid(uid) < 0)
		die("cannot set user id %u: %s", (unsigned)uid,
		    strerror(errno));
	free(user);
}

/* The command's environment: jobd's block (or our own), the files read
 * as the user, then the user's own variables, which win. */
static char **
build_env(const struct exec_opts *o, char **base, char **vars)
{
	char	**env = base;
	size_t	  i;

	for (i = 0; i < o->nenv_files; i++)
		env = exec_env_read_file(env, o->env_files[i]);
	for (i = 0; vars[i] != NULL; i++)
		env = strv_env_set(env, vars[i]);
	return env;
}

int
main(int argc, char **argv)
{
	extern char	**environ;
	struct exec_opts o = {
		.stdin_fd = -1,
		.env_fd = -1,
		.umask = -1,
	};
	char		*vars[5] = { NULL };
	char		**env;
	size_t		  i;

	parse_args(&o, argc, argv);
	if (o.cgroup != NULL)
		apply_cgroup(o.cgroup);
	/* Read now, applied only after the switch to the user. */
	env = o.env_fd >= 0 ? exec_env_read_fd(o.env_fd) : strv_copy(environ);
	apply_stdin(&o);
	apply_limits(&o);
	apply_user(&o, vars);
	/* "~": the user's home (without --user, the environment's). */
	if (o.dir != NULL && !strcmp(o.dir, "~"))
		o.dir = vars[0] != NULL ? vars[0] + 5 : strv_env_get(env,
		    "HOME") ?: "/";
	if (o.dir != NULL && chdir(o.dir) < 0)
		die("working directory '%s': %s", o.dir, strerror(errno));
	apply_stdin_file(&o);
	env = build_env(&o, env, vars);
	if (o.check) {
		exec_check_conditions(o.conditions, o.nconditions, env);
		strv_free(env);
		for (i = 0; vars[i] != NULL; i++)
			free(vars[i]);
		return 0;
	}
	if (o.no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		die("cannot set no_new_privs: %s", strerror(errno));
	/* execvp() looks the command up in the command's own PATH. */
	environ = env;
	execvp(o.argv[0], o.argv);
	die("execvp '%s': %s", o.argv[0], strerror(errno));
}
