/* model.h: the domain: agents, customers, tickets, messages, events.
 *
 * These structs are what store/ returns and core/ and the front ends
 * speak.  Times are UTC seconds since the epoch; 0 means "not set".
 * Strings in a struct are owned by it and freed by its *_free function. */
#ifndef DESK_MODEL_H
#define DESK_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum status {
	ST_NEW,
	ST_OPEN,
	ST_PENDING, /* waiting on the customer */
	ST_ON_HOLD, /* waiting on a third party */
	ST_SOLVED,
	ST_CLOSED,
	ST__COUNT
};

enum priority { PRIO_LOW, PRIO_NORMAL, PRIO_HIGH, PRIO_URGENT, PRIO__COUNT };

enum channel {
	CH_EMAIL,
	CH_PHONE,
	CH_CHAT,
	CH_WEB,
	CH_SOCIAL,
	CH_WALK_IN,
	CH__COUNT
};

enum msg_kind { MSG_CUSTOMER, MSG_REPLY, MSG_NOTE, MSG_SYSTEM, MSG__COUNT };

enum role { ROLE_AGENT, ROLE_SUPERVISOR, ROLE_ADMIN, ROLE__COUNT };

enum survey_kind { SURVEY_CSAT, SURVEY_CES, SURVEY_NPS, SURVEY__COUNT };

/* Name <-> value for each enum; *_from_name returns -1 when unknown.
 * The names are the ones used in the database, config, JSON and CLI. */
const char *status_name(enum status s);
int status_from_name(const char *s);
const char *priority_name(enum priority p);
int priority_from_name(const char *s);
const char *channel_name(enum channel c);
int channel_from_name(const char *s);
const char *msg_kind_name(enum msg_kind k);
int msg_kind_from_name(const char *s);
const char *role_name(enum role r);
int role_from_name(const char *s);
const char *survey_kind_name(enum survey_kind k);
int survey_kind_from_name(const char *s);
/* Allowed score range of a survey kind, inclusive. */
void survey_range(enum survey_kind k, int *lo, int *hi);

struct agent {
	int64_t id;
	char *login;
	char *name;
	enum role role;
	bool active;
	int64_t created_at;
};

struct customer {
	int64_t id;
	char *name;
	char *email;
	char *phone;
	char *organization;
	char *tier;
	char *notes;
	int64_t created_at;
};

struct ticket {
	int64_t id;
	char *external_id;
	char *subject;
	enum status status;
	enum priority priority;
	enum channel channel;
	char *queue;
	int64_t customer_id;
	char *customer_name;  /* joined for display */
	char *customer_email; /* joined for display */
	int64_t assignee_id;  /* 0: unassigned */
	char *assignee_login; /* joined for display; NULL when unassigned */
	int64_t created_at, updated_at;
	int64_t first_response_at;
	int64_t first_solved_at, solved_at, closed_at;
	int64_t first_response_due, resolution_due;
	int64_t next_response_due;
	int64_t next_due;       /* the SLA due time that matters now (sorting) */
	int64_t pending_since;  /* set while pending: the resolution clock stops */
	int64_t paused_seconds; /* time spent pending, summed */
	int64_t follow_up_at;   /* pending/on_hold until then (0: none) */
	int reopens;
	int64_t merged_into; /* 0 unless merged away */
	char **tags;         /* NULL-terminated, sorted */
	size_t ntags;
};

struct message {
	int64_t id;
	int64_t ticket_id;
	enum msg_kind kind;
	int64_t author_id;   /* agent for reply/note; 0 for customer/system */
	char *author;        /* agent login, or customer name, for display */
	char *body;
	int64_t created_at;
	char *message_id;    /* RFC 5322 Message-ID, NULL if none */
	bool automatic;      /* auto-reply, bounce or list mail: never answered */
	char *delivery;      /* outbound mail: "queued", "sent", "failed"; else NULL */
	char *delivery_error;
	char *mail_from;     /* sender address of inbound mail */
	int64_t send_after;  /* a held reply: not handed to sendmail before (0: at once) */
	char *cc;            /* a reply's copies: addresses joined by ", ", NULL: none */
	char *bcc;           /* blind copies: the envelope only, never a header */
	char *forward_to;    /* a note mailed to a third party (desk forward) */
};


struct survey {
	int64_t id;
	int64_t ticket_id;
	enum survey_kind kind;
	int score;
	int64_t answered_at;
	char *comment;       /* the customer's words with it; NULL: none (untrusted) */
	int64_t request_id;  /* the survey desk mailed that it answers; 0: none */
	int64_t agent_id;    /* the agent who recorded it (phone, walk-in); 0: none */
	char *agent_login;   /* joined for display */
	int64_t merged_from; /* written only: the ticket a merge took it from */
};

struct event {
	int64_t id;
	int64_t ticket_id; /* 0 for events not about one ticket */
	int64_t agent_id;  /* 0 for the system */
	char *agent_login;
	int64_t at;
	char *action; /* create, reply, note, set, claim, assign, merge, ... */
	char *field;  /* status, priority, ... or NULL */
	char *old_value;
	char *new_value;
	/* The action of an agent this event is part of (the id of that
	 * action's first event); 0 for none.  store_event_insert takes
	 * EVENT_NEW_CHANGE to start one with this very event. */
	int64_t change_id;
};
#define EVENT_NEW_CHANGE (-1)

void agent_free(struct agent *a);       /* frees members, not a */
void customer_free(struct customer *c); /* frees members, not c */
void ticket_free(struct ticket *t);     /* frees members, not t */
void ticket_copy(struct ticket *dst, const struct ticket *src); /* a deep copy */
void message_free(struct message *m);
void event_free(struct event *ev);

/* A growable array of one of the structs above. */
struct message_list { struct message *v; size_t n, cap; };
struct ticket_list { struct ticket *v; size_t n, cap; };
struct event_list { struct event *v; size_t n, cap; };
struct survey_list { struct survey *v; size_t n, cap; };
struct agent_list { struct agent *v; size_t n, cap; };
struct customer_list { struct customer *v; size_t n, cap; };
void message_list_free(struct message_list *l);
void ticket_list_free(struct ticket_list *l);
void event_list_free(struct event_list *l);
void survey_list_free(struct survey_list *l);
void agent_list_free(struct agent_list *l);
void customer_list_free(struct customer_list *l);

#endif
