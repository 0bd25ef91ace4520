/*
 * lograte.h - log_rate, the log's limit per client address (lograte.c).
 */
#ifndef PALD_LOGRATE_H
#define PALD_LOGRATE_H

struct table;

/* lograte_init - log.c's gate from the table, limit *rate (0: none) */
void	 lograte_init(struct table *, const int *);

#endif /* PALD_LOGRATE_H */
