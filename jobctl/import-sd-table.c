/* Which file maps a directive, and why a directive jobd has nothing for
 * is not mapped: sandboxing, resource control, ordering and the rest of
 * systemd.exec(5), systemd.resource-control(5) and systemd.unit(5), each
 * reason saying what the job loses.  Also which directives may be given
 * several times (the others: systemd uses the last). */
#include <string.h>

#include "import-sd.h"

static const struct sd_directive *const tables[] = {
	sd_timer_directives, sd_service_directives, sd_proc_directives,
	sd_unit_directives,
};

sd_map_fn
sd_directive_find(const char *section, const char *key)
{
	const struct sd_directive *d;
	size_t i;

	for (i = 0; i < ELEMENTSOF(tables); i++)
		for (d = tables[i]; d->key; d++)
			if (!strcmp(d->section, section) &&
			    !strcmp(d->key, key))
				return d->fn;
	return NULL;
}

/* Directives that add up when repeated (prefix match where marked). */
static const char *const repeatable[] = {
	"OnCalendar", "OnBootSec", "OnStartupSec", "OnActiveSec",
	"OnUnitActiveSec", "OnUnitInactiveSec", "Environment",
	"EnvironmentFile", "PassEnvironment", "UnsetEnvironment",
	"SupplementaryGroups", "Documentation", "ExecStartPre", "ExecStart",
	"ExecStartPost", "ExecStop", "ExecStopPost", "ExecReload",
	"ExecCondition", "SuccessExitStatus", "After", "Before", "Wants",
	"Requires", "Requisite", "BindsTo", "PartOf", "Conflicts", "Upholds",
	"OnFailure", "OnSuccess", "RequiresMountsFor", "WantedBy",
	"RequiredBy", "Alias", "Also", "ReadWritePaths", "ReadOnlyPaths",
	"InaccessiblePaths", "ExecPaths", "NoExecPaths", "BindPaths",
	"BindReadOnlyPaths", "TemporaryFileSystem", "DeviceAllow",
	"SystemCallFilter", "IPAddressAllow", "IPAddressDeny",
	"LoadCredential", "SetCredential", "RestartPreventExitStatus",
	"RestartForceExitStatus",
};

bool
sd_repeatable(const char *key)
{
	size_t i;

	if (!strncmp(key, "Condition", 9) || !strncmp(key, "Assert", 6))
		return true;
	for (i = 0; i < ELEMENTSOF(repeatable); i++)
		if (!strcmp(repeatable[i], key))
			return true;
	return false;
}

#define SANDBOX SD_SANDBOX
#define CGROUP "jobd sets no resource limit on a job's cgroup: "
#define ORDER "jobd orders only its own units (after=, requires= name " \
	"jobd's jobs and services, and make a job wait for the other's " \
	"success); systemd's units are not jobd's: "

static const struct {
	const char *key;
	const char *reason;
} reasons[] = {
	/* [Unit]: dependencies and behaviour of the unit as a whole. */
	{ "After", ORDER "jobd starts the run at its time, whatever else "
	    "runs (a shared lock= keeps two jobs apart)" },
	{ "Before", ORDER "nothing waits for this job" },
	{ "Wants", ORDER "the named units are not started with it" },
	{ "Requires", ORDER "the named units are not started with it, nor "
	    "required" },
	{ "Requisite", ORDER "the named units are not required" },
	{ "BindsTo", ORDER "the job is not stopped with the named units" },
	{ "PartOf", ORDER "the job is not stopped or restarted with the "
	    "named units" },
	{ "Conflicts", ORDER "the named units may run alongside" },
	{ "Upholds", ORDER "the named units are not kept up" },
	{ "OnFailure", "on_failure= names a jobd job to run on a failure; "
	    "import the unit and name it" },
	{ "OnSuccess", "on_success= names a jobd job to run on a success; "
	    "import the unit and name it" },
	{ "RequiresMountsFor", "jobd does not wait for mounts: the run may "
	    "start before the path is mounted (jobd itself starts after "
	    "the local file systems)" },
	{ "DefaultDependencies", "jobd has no implicit dependencies to turn "
	    "off" },
	{ "StopWhenUnneeded", "nothing in jobd stops a unit that is not "
	    "needed" },
	{ "RefuseManualStart", "jobctl start starts any job" },
	{ "RefuseManualStop", "jobctl stop stops any service" },
	{ "AllowIsolate", "jobd has no isolation of targets" },
	{ "IgnoreOnIsolate", "jobd has no isolation of targets" },
	{ "JobTimeoutSec", "jobd queues no systemd jobs" },
	{ "JobRunningTimeoutSec", "jobd queues no systemd jobs" },
	{ "StartLimitAction", "jobd never reboots the machine: a service at "
	    "its start limit is failed" },
	{ "FailureAction", "jobd never reboots or powers off the machine" },
	{ "SuccessAction", "jobd never reboots or powers off the machine" },
	{ "CollectMode", "jobd keeps every unit of its configuration" },
	{ "SourcePath", "only for generated units" },
	/* [Install]: enabling. */
	{ "Alias", "jobd units have one name" },
	{ "Also", "jobd has no enabling: import the other unit too" },
	{ "DefaultInstance", "jobd has no templates" },
	/* [Timer] */
	{ "RemainAfterElapse", "a jobd job has no elapsed state to keep" },
	{ "OnClockChange", "jobd re-arms its slots when the clock jumps but "
	    "starts no run for it" },
	{ "OnTimezoneChange", "jobd re-arms its slots when the zone changes "
	    "but starts no run for it" },
	/* [Service] */
	{ "PIDFile", "jobd follows the process it starts: run the daemon in "
	    "the foreground" },
	{ "GuessMainPID", "jobd follows the process it starts" },
	{ "BusName", "jobd does not watch the bus" },
	{ "NotifyAccess", "jobd takes sd_notify messages from the service's "
	    "own processes" },
	{ "ExecStopPost", "jobd runs no command after a run (on_failure= and "
	    "on_success= start jobs then)" },
	{ "RestartPreventExitStatus", "jobd's restart= has no exit status "
	    "exceptions" },
	{ "RestartForceExitStatus", "jobd's restart= has no exit status "
	    "exceptions" },
	{ "RestartKillSignal", "jobd stops a restarting service with "
	    "stop_signal=" },
	{ "FinalKillSignal", "jobd's last signal is SIGKILL" },
	{ "WatchdogSignal", "jobd's watchdog sends SIGABRT" },
	{ "SendSIGHUP", "jobd sends no SIGHUP after the stop signal" },
	{ "TimeoutAbortSec", "jobd's watchdog waits stop_timeout= before "
	    "SIGKILL" },
	{ "RuntimeRandomizedExtraSec", "jobd's timeout= is exact" },
	{ "OOMPolicy", "jobd leaves the other processes of a run the kernel's "
	    "OOM killer hit alone" },
	{ "Sockets", "jobd does not pass sockets to a service" },
	{ "FileDescriptorStoreMax", "jobd keeps no file descriptors for a "
	    "service (it closes what FDSTORE=1 sends)" },
	{ "RootDirectoryStartOnly", "jobd runs no command in a changed root" },
	{ "NonBlocking", "jobd passes no sockets" },
	{ "StartLimitInterval", "the old name of [Unit] "
	    "StartLimitIntervalSec=: write start_limit_interval=" },
	{ "StartLimitBurst", "in [Service] it is the old place: write "
	    "start_limit_burst=" },
	/* systemd.exec(5): identity and environment. */
	{ "DynamicUser", "jobd runs a job as a user= that exists: make one "
	    "(useradd --system) and name it" },
	{ "PAMName", "jobd opens no PAM session for a run" },
	{ "UnsetEnvironment", "a run's environment starts from jobd's base "
	    "environment, which has few variables; clear_environment=yes "
	    "starts from none" },
	{ "StandardInputText", "jobd's stdin=data: is one line with no "
	    "newline at its end" },
	{ "StandardInputData", "jobd's stdin=data: takes text, not base64" },
	{ "SyslogFacility", "jobd's journal lines have no facility" },
	{ "SyslogLevel", "jobd logs stdout at info and stderr at warning" },
	{ "SyslogLevelPrefix", "jobd does not read <N> prefixes" },
	{ "LogLevelMax", "jobd keeps every line of output" },
	{ "LogExtraFields", "jobd's journal lines carry JOBD_JOB= and "
	    "JOBD_RUN=, no others" },
	{ "LogRateLimitIntervalSec", "jobd does not rate-limit output" },
	{ "LogRateLimitBurst", "jobd does not rate-limit output" },
	{ "LogNamespace", "jobd logs to the default journal" },
	{ "TTYPath", "jobd gives a run no terminal" },
	{ "TTYReset", "jobd gives a run no terminal" },
	{ "TTYVHangup", "jobd gives a run no terminal" },
	{ "TTYVTDisallocate", "jobd gives a run no terminal" },
	{ "UtmpIdentifier", "jobd writes no utmp records" },
	{ "UtmpMode", "jobd writes no utmp records" },
	{ "IgnoreSIGPIPE", "jobd has no such setting" },
	{ "TimerSlackNSec", "the job gets the default timer slack" },
	{ "Personality", "the job gets the host's execution domain" },
	{ "SecureBits", "the job gets no secure bits" },
	{ "LoadCredential", "jobd passes no credentials: give the job a file "
	    "it can read" },
	{ "SetCredential", "jobd passes no credentials" },
	{ "LimitRTPRIO", "jobd has no limit_rtprio=" },
	{ "LimitRTTIME", "jobd has no limit_rttime=" },
	{ "LimitNICE", "jobd has no limit_nice=" },
	{ "LimitMSGQUEUE", "jobd has no limit_msgqueue=" },
	{ "LimitSIGPENDING", "jobd has no limit_sigpending=" },
	{ "LimitLOCKS", "jobd has no limit_locks=" },
	{ "LimitRSS", "jobd has no limit_rss= (the kernel ignores it too)" },
	{ "CPUSchedulingPolicy", "the job runs with the normal policy "
	    "(SCHED_OTHER)" },
	{ "CPUSchedulingPriority", "the job runs with the normal policy "
	    "(SCHED_OTHER)" },
	{ "CPUSchedulingResetOnFork", "the job runs with the normal policy" },
	{ "CPUAffinity", "the job may run on every CPU" },
	{ "NUMAPolicy", "the job gets the default NUMA policy" },
	{ "NUMAMask", "the job gets the default NUMA policy" },
	{ "OOMScoreAdjust", "the OOM killer sees the job with jobd's own "
	    "score" },
	/* Sandboxing: what the job may do that it could not. */
	{ "ProtectSystem", SANDBOX "/usr and /boot (and with full or strict "
	    "/etc) stay writable by the job's user" },
	{ "ProtectHome", SANDBOX "/home, /root and /run/user stay visible to "
	    "the job" },
	{ "PrivateTmp", SANDBOX "the job shares /tmp and /var/tmp with "
	    "everyone" },
	{ "PrivateDevices", SANDBOX "the job sees every device node in /dev" },
	{ "PrivateNetwork", SANDBOX "the job has the host's network" },
	{ "PrivateUsers", SANDBOX "no user namespace" },
	{ "PrivateIPC", SANDBOX "the job shares System V IPC with everyone" },
	{ "PrivateMounts", SANDBOX "the job shares the host's mounts" },
	{ "ProtectKernelTunables", SANDBOX "/proc/sys and /sys stay writable "
	    "for a root job" },
	{ "ProtectKernelModules", SANDBOX "a root job may load kernel "
	    "modules" },
	{ "ProtectKernelLogs", SANDBOX "the job may read the kernel log" },
	{ "ProtectControlGroups", SANDBOX "/sys/fs/cgroup stays writable for "
	    "a root job" },
	{ "ProtectClock", SANDBOX "a root job may set the clock" },
	{ "ProtectHostname", SANDBOX "a root job may change the host name" },
	{ "ProtectProc", SANDBOX "/proc shows every process" },
	{ "ProcSubset", SANDBOX "/proc shows everything" },
	{ "MemoryDenyWriteExecute", SANDBOX "the job may map memory writable "
	    "and executable" },
	{ "LockPersonality", SANDBOX "the job may change its execution "
	    "domain" },
	{ "RestrictRealtime", SANDBOX "the job may ask for realtime "
	    "scheduling" },
	{ "RestrictNamespaces", SANDBOX "the job may create namespaces" },
	{ "RestrictSUIDSGID", SANDBOX "the job may make setuid and setgid "
	    "files" },
	{ "RestrictAddressFamilies", SANDBOX "every socket family is open to "
	    "the job" },
	{ "RestrictFileSystems", SANDBOX "every file system type is open" },
	{ "SystemCallFilter", SANDBOX "every system call is allowed" },
	{ "SystemCallArchitectures", SANDBOX "system calls of every "
	    "architecture are allowed" },
	{ "SystemCallErrorNumber", SANDBOX "no system call filter" },
	{ "SystemCallLog", SANDBOX "no system call is logged" },
	{ "CapabilityBoundingSet", SANDBOX "the job keeps every capability "
	    "its user has (a root job: all)" },
	{ "AmbientCapabilities", "jobd gives no ambient capabilities: the job "
	    "has only what its user has" },
	{ "ReadWritePaths", SANDBOX "paths stay as they are on the host" },
	{ "ReadOnlyPaths", SANDBOX "these paths stay writable by the job's "
	    "user" },
	{ "InaccessiblePaths", SANDBOX "these paths stay visible" },
	{ "ExecPaths", SANDBOX "programs run from anywhere" },
	{ "NoExecPaths", SANDBOX "programs run from anywhere" },
	{ "TemporaryFileSystem", SANDBOX "no file system is mounted over" },
	{ "BindPaths", SANDBOX "nothing is bind-mounted: the job sees the "
	    "host's paths" },
	{ "BindReadOnlyPaths", SANDBOX "nothing is bind-mounted" },
	{ "RootDirectory", SANDBOX "the job runs in the host's root" },
	{ "RootImage", SANDBOX "the job runs in the host's root" },
	{ "MountAPIVFS", SANDBOX "the job sees the host's /proc, /sys, /dev" },
	{ "KeyringMode", SANDBOX "the job gets no session keyring of its own" },
	{ "RemoveIPC", SANDBOX "the job's IPC objects outlive it" },
	{ "DevicePolicy", CGROUP "every device is open to the job" },
	{ "DeviceAllow", CGROUP "every device is open to the job" },
	{ "IPAddressAllow", CGROUP "no IP filter" },
	{ "IPAddressDeny", CGROUP "no IP filter" },
	{ "IPAccounting", CGROUP "no IP accounting" },
	{ "SELinuxContext", "jobd sets no SELinux context" },
	{ "AppArmorProfile", "jobd sets no AppArmor profile" },
	{ "SmackProcessLabel", "jobd sets no SMACK label" },
	{ "StateDirectory", "jobd does not make /var/lib/NAME for the job: "
	    "make it once, owned by the job's user" },
	{ "CacheDirectory", "jobd does not make /var/cache/NAME for the job: "
	    "make it once, owned by the job's user" },
	{ "LogsDirectory", "jobd does not make /var/log/NAME for the job: "
	    "make it once, owned by the job's user" },
	{ "RuntimeDirectory", "jobd does not make /run/NAME for the job "
	    "(tmpfiles.d(5) can, at boot)" },
	{ "ConfigurationDirectory", "jobd does not make /etc/NAME" },
	{ "StateDirectoryMode", "jobd makes no state directory" },
	{ "CacheDirectoryMode", "jobd makes no cache directory" },
	{ "LogsDirectoryMode", "jobd makes no logs directory" },
	{ "RuntimeDirectoryMode", "jobd makes no runtime directory" },
	{ "RuntimeDirectoryPreserve", "jobd makes no runtime directory" },
	/* systemd.resource-control(5) */
	{ "Slice", CGROUP "the run's cgroup is under jobd's own" },
	{ "Delegate", CGROUP "the job may not manage cgroups below its own" },
	{ "CPUAccounting", "jobd counts each run's CPU time anyway" },
	{ "MemoryAccounting", "jobd keeps each run's peak memory anyway" },
	{ "TasksAccounting", CGROUP "no task count" },
	{ "IOAccounting", CGROUP "no I/O count" },
	{ "CPUQuota", CGROUP "the job may use every CPU fully" },
	{ "CPUWeight", CGROUP "the job competes for CPU at the default weight "
	    "(nice= still applies)" },
	{ "StartupCPUWeight", CGROUP "the default weight" },
	{ "CPUShares", CGROUP "the default weight" },
	{ "AllowedCPUs", CGROUP "the job may run on every CPU" },
	{ "MemoryMax", CGROUP "the job's memory is not bounded" },
	{ "MemoryHigh", CGROUP "the job's memory is not throttled" },
	{ "MemoryLow", CGROUP "the job's memory is not protected" },
	{ "MemoryMin", CGROUP "the job's memory is not protected" },
	{ "MemoryLimit", CGROUP "the job's memory is not bounded" },
	{ "MemorySwapMax", CGROUP "the job's swap is not bounded" },
	{ "TasksMax", CGROUP "the job may start any number of processes" },
	{ "IOWeight", CGROUP "the job competes for I/O at the default "
	    "weight" },
	{ "IOReadBandwidthMax", CGROUP "the job's reads are not throttled" },
	{ "IOWriteBandwidthMax", CGROUP "the job's writes are not throttled" },
	{ "IOReadIOPSMax", CGROUP "the job's reads are not throttled" },
	{ "IOWriteIOPSMax", CGROUP "the job's writes are not throttled" },
	{ "BlockIOWeight", CGROUP "the default I/O weight" },
	{ "ManagedOOMSwap", "jobd tells systemd-oomd nothing" },
	{ "ManagedOOMMemoryPressure", "jobd tells systemd-oomd nothing" },
};

const char *
sd_unmapped_reason(const char *section, const char *key)
{
	size_t i;

	(void)section;
	for (i = 0; i < ELEMENTSOF(reasons); i++)
		if (!strcmp(reasons[i].key, key))
			return reasons[i].reason;
	if (!strncmp(key, "Condition", 9) || !strncmp(key, "Assert", 6))
		return "jobd has no condition that tests this: the run "
		    "happens whatever it says";
	return NULL;
}
