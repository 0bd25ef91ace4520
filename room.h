/*
 * room.h - the room packets of a session (room.c).
 */
#ifndef PALD_ROOM_H
#define PALD_ROOM_H

struct session;
struct wire_frame;
struct db;
struct table;
struct tsess;

/* room_frame - handle a room packet: 0 go on, -1 end, 1 not a room packet */
int	 room_frame(struct session *, const struct wire_frame *);
/* room_logout - the session ends: leave its rooms, tell their members */
void	 room_logout(struct session *);
/* room_gone - a swept dead session: out of its rooms, members told */
void	 room_gone(struct db *, struct table *, const struct tsess *);

/* /rooms and /log, same signature as every command handler (admin.c) */
int	 admin_cmd_rooms(struct session *, int, char **);
int	 admin_cmd_log(struct session *, int, char **);

#endif /* PALD_ROOM_H */
