/*
 * pald.h - limits, the configuration, and what the top-level files share.
 *
 * Every quantity a client controls has a limit here (PALD_MAX_*), or in
 * store/sizes.h when it sizes a stored record or the shared table (a
 * nickname, an IM, a room's topic, the table's slots): those are
 * defined there once and come with this header.  Limits that an
 * operator may want to change are also configuration keys
 * (pald.conf(5)); the value here is then the default and the bound.
 */
#ifndef PALD_H
#define PALD_H

#include <sys/types.h>

#include <stdint.h>
#include <stdio.h>

#include "store/sizes.h"

#define PALD_VERSION		"0.1"

#define PALD_PORT		5001	/* the port every Paltalk client knows */
#define PALD_VOICE_PORT		12718	/* room voice, TCP: the 2002 service's */
#define PALD_FRAME_MAX		8192	/* largest client frame payload accepted */
#define PALD_OUTBUF_MAX		(256 * 1024) /* unsent bytes before a client is cut */
#define PALD_SEARCH_MAX		100	/* search results */
#define PALD_HINTS_MAX		4	/* password hints stored per session */
#define PALD_INVITE_BATCH	20	/* addresses in one -200 */
#define PALD_ALERT_TEXT		511	/* bytes of an "Alert Admin" text */
#define PALD_ALERT_INTERVAL	60	/* seconds between one user's alerts */
#define PALD_ALERT_ADMINS	64	/* site admins an alert goes to */
#define PALD_ROOMMSG_MAX	1024	/* bytes of room message text */
#define PALD_POOL_MAX		1024	/* bound of min_spare and max_spare */
#define PALD_AWAY_MAX		255	/* bytes of an away message */
#define PALD_AWAY_REPLIES	32	/* senders remembered per away spell */

/* Default limits, all changeable in pald.conf. */
#define PALD_DEF_MAX_CHILDREN	2000
#define PALD_DEF_MAX_PER_ADDR	32
#define PALD_DEF_IDLE		1800	/* seconds without a packet */
#define PALD_DEF_LOGIN_TIME	30	/* seconds from connect to login */
#define PALD_DEF_FIRST_FRAME	10	/* seconds from connect to the first byte */
#define PALD_DEF_PRELOGIN	512	/* connections not logged in yet ... */
#define PALD_DEF_PRELOGIN_ADDR	8	/* ... and from one address */
#define PALD_DEF_MIN_SPARE	4	/* idle pooled children kept at least */
#define PALD_DEF_MAX_SPARE	16	/* and at most */
#define PALD_DEF_MAX_USE	1000	/* sessions a child serves, then exits */
#define PALD_DEF_POOL_IDLE	300	/* seconds a spare above min_spare waits */
#define PALD_DEF_HASH_COST	8	/* bcrypt log2 rounds */
#define PALD_DEF_REG_INTERVAL	60	/* seconds between registrations per address */
#define PALD_DEF_CHECKPOINT	300	/* seconds between BDB checkpoints */
#define PALD_DEF_STORE_PROCS	2	/* store processes (pald: store) */
#define PALD_STORE_PROCS_MAX	32
#define PALD_DEF_STORE_WAIT	10	/* seconds a session waits for the store */
#define PALD_STORE_SOCK		"store"	/* the store processes' socket, in rundir */
#define PALD_DEF_PKT_RATE	40	/* packets per second per session, sustained */
#define PALD_DEF_PKT_BURST	200	/* and the burst on top */
#define PALD_DEF_MSG_RATE	60	/* IMs and room lines per minute per session */
#define PALD_DEF_MSG_BURST	20	/* and the burst on top */
#define PALD_DEF_NONBUDDY_RATE	10	/* IMs per minute to people not on either's buddy list */
#define PALD_DEF_JOIN_RATE	10	/* room joins and creations per minute */
#define PALD_DEF_STRIKES	10	/* refusals in a minute that end a session */
#define PALD_DEF_LOGIN_FAIL	5	/* failed checks per account and address before the wait */
#define PALD_DEF_LOGIN_FAIL_ADDR 20	/* per address: then every account refused */
#define PALD_DEF_LOGIN_FAIL_ACCT 50	/* per account from everywhere: no free failures */
#define PALD_DEF_LOGIN_WINDOW	300	/* seconds a count lasts after it grew; the longest wait */
#define PALD_DEF_LOGIN_ADMIN	1	/* admin level that login_failures_address spares */
#define PALD_DEF_LOG_RATE	8	/* log lines a minute about one address */
#define PALD_DEF_SYSTEM_NICK	"Paltalk"
#define PALD_DEF_ROOM_SIZE	250	/* members of a room (2002: 250) */
#define PALD_DEF_ROOM_LOCKED	10	/* members of a locked room */
#define PALD_DEF_MIC_TIME	0	/* seconds a turn may last when others wait; 0: no limit */
#define PALD_DEF_USER_COLOR	"000128000" /* names in room user lists: green */
#define PALD_DEF_ADMIN_COLOR	"000000128" /* room admins' names: dark blue */
#define PALD_COLOR_LEN		9	/* RRRGGGBBB, decimal */
#define PALD_DEF_P2P_PORT	20000	/* first relay port of calls and transfers */
#define PALD_P2P_PORT_MAX	(32767 - 2 * PALD_P2P_ENTRIES + 1) /* 5.0: ports <= 32767 */
#define PALD_DEF_FILE_MAX	(16 * 1024 * 1024) /* bytes of one relayed file */
#define PALD_DEF_FILE_RATE	(1024 * 1024)	/* bytes/s of one relayed transfer; 0: no cap */
#define PALD_DEF_VIDEO_PORT	12719	/* room video server, TCP; 0: none */
#define PALD_DEF_VIDEO_MAX	4	/* cameras published in one room at once */
#define PALD_DEF_VIDEO_FRAME	(64 * 1024) /* bytes of one room video picture */
#define PALD_VIDEO_FRAME_MAX	256000	/* 5.0's viewer buffer */
#define PALD_DEF_VIDEO_RATE	10	/* pictures a second of one publisher (5.0: 6) */

#define PALD_UID_SYSTEM		1000001	/* reserved for the system user */
#define PALD_UID_NEWUSER	1000000	/* what "<New User>" looks up to: no account */
#define PALD_NEWUSER_NICK	"<New User>" /* the 5.0 logon's way to the wizard */
#define PALD_SUGGEST_MAX	99	/* nick1..nick99 tried for a taken nickname */
#define PALD_PWCHANGE_ADDR	10	/* password changes from an address in a row */
#define PALD_LOG_KIND		3	/* log lines of one kind a minute per address */
#define PALD_LOG_WINDOW		60	/* seconds: the window of log_rate */

/* The configuration: defaults, then pald.conf, then command-line options. */
struct pald_conf {
	char		 listen[64];	/* address to bind, "" = any */
	int		 port;
	char		 dbhome[256];
	char		 rundir[256];
	char		 user[64];	/* drop privileges to this user */
	char		 categories[256]; /* seed file for categories */
	char		 rooms[256];	/* seed file for the permanent rooms */
	int		 max_children;
	int		 max_per_addr;
	int		 idle_timeout;
	int		 login_timeout;
	int		 first_frame;	/* seconds to the first byte */
	int		 max_prelogin;	/* not logged in yet, in all ... */
	int		 max_prelogin_addr; /* ... and per address */
	int		 min_spare;	/* the pool: idle children kept */
	int		 max_spare;
	int		 max_use;	/* sessions per child */
	int		 pool_idle;	/* seconds a spare may wait */
	int		 hash_cost;
	int		 registration;	/* 1: clients may create accounts */
	int		 reg_interval;
	int		 checkpoint;
	int		 store_procs;	/* store processes */
	int		 store_wait;	/* seconds a store call may wait */
	int		 pkt_rate;
	int		 pkt_burst;
	int		 msg_rate;	/* per minute */
	int		 msg_burst;
	int		 nonbuddy_rate;	/* per minute, also the burst */
	int		 join_rate;	/* per minute, also the burst */
	int		 strikes;	/* refusals in a minute before a cut */
	int		 max_frame;
	int		 login_fail;	/* failed checks per account and address */
	int		 login_fail_addr; /* ... per address ... */
	int		 login_fail_acct; /* ... per account ... */
	int		 login_window;	/* ... forgotten after this many seconds */
	int		 login_admin;	/* admin level spared an address lockout */
	int		 log_rate;	/* log lines a minute per address; 0: all */
	int		 under_attack;	/* 1: only accounts seen before */
	char		 system_nick[PALD_NICK_MAX + 1];
	int		 facility;	/* syslog facility */
	int		 room_size;
	int		 room_size_locked;
	char		 voice_addr[64]; /* announced to clients; "" = the address they reached */
	int		 voice_port;
	int		 mic_time;	/* seconds; 0 = unlimited */
	char		 user_color[PALD_COLOR_LEN + 1];  /* RRRGGGBBB */
	char		 admin_color[PALD_COLOR_LEN + 1];
	int		 p2p_relay;	/* 1: calls and transfers through the voice child */
	int		 p2p_port;	/* its first relay port */
	int		 file_max;	/* bytes of a relayed file */
	int		 file_rate;	/* bytes/s of a relayed transfer; 0: no cap */
	int		 video_port;	/* the room video server; 0: none */
	int		 video_max;	/* cameras published per room */
	int		 video_frame;	/* bytes of a picture */
	int		 video_rate;	/* pictures a second per publisher */
};

/* conf.c, set by pald.c: the master's pid in daemon mode, 0 under -i. */
extern pid_t	 pald_master;

/* conf.c; the table_conf_* pass the configuration through store/table.h */
struct table;
void	conf_defaults(struct pald_conf *);
void	conf_seeds(struct pald_conf *, const char *);	/* argv[0] */
int	conf_load(struct pald_conf *, const char *, char *, size_t);
int	conf_read(struct pald_conf *, FILE *, const char *, char *, size_t);
void	table_conf_put(struct table *, const struct pald_conf *);
int	table_conf_get(struct table *, uint32_t *, struct pald_conf *);

#endif /* PALD_H */
