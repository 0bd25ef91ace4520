/*
 * p2p.h - calls and transfers between two users (p2p.c).
 */
#ifndef PALD_P2P_H
#define PALD_P2P_H

#include <stddef.h>

struct session;
struct table;
struct tsess;
struct wire_frame;

/* p2p_frame - a call, transfer or video packet: 0 go on, -1 end, 1 not ours */
int	 p2p_frame(struct session *, const struct wire_frame *);
/* p2p_inbox - a TM_P2P event from the other side's child */
void	 p2p_inbox(struct session *, const unsigned char *, size_t);
/* p2p_logout - the session ends: what it had going ends, the others told */
void	 p2p_logout(struct session *);
/* p2p_gone - a swept dead session: the other sides of what it had told */
void	 p2p_gone(struct table *, const struct tsess *);

#endif /* PALD_P2P_H */
