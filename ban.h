/*
 * ban.h - server-wide bans (ban.c): the checks at connect and at login,
 * and the handlers of /ban, /unban and /bans (admin.c's command table).
 */
#ifndef PALD_BAN_H
#define PALD_BAN_H

struct session;

/* ban_admit - a new connection: 0 to serve it, -1 (told) when banned */
int	 ban_admit(struct session *);
/* ban_login - is the account or its address banned?  -1: refused (told) */
int	 ban_login(struct session *);

int	 admin_cmd_ban(struct session *, int, char **);
int	 admin_cmd_unban(struct session *, int, char **);
int	 admin_cmd_bans(struct session *, int, char **);

#endif /* PALD_BAN_H */
