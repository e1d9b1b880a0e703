/* What the crontab importer's files share (import-crontab.c reads lines,
 * import-cron-command.c reads the command field). */
#ifndef JOBCTL_IMPORT_CRON_H
#define JOBCTL_IMPORT_CRON_H

/* The command field split as cron splits it: *ret_cmd the command,
 * *ret_input its standard input (NULL when there is no '%'). */
void cron_command_split(const char *field, char **ret_cmd, char **ret_input);
/* Input text as a stdin=text: value. */
char *cron_input_text(const char *input);
/* A name for the job from what the command runs ("cron" when nothing
 * fits); not yet unique. */
char *cron_command_name(const char *cmd);

#endif
