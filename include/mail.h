/* mail.h: the email channel.  Mail comes in through the MTA (an alias
 * pipes each message to `desk ingest`) and replies leave through the
 * configured sendmail command; see desk-mail(7).
 *
 * Three layers, as everywhere in desk:
 *   store  src/store/mail_store.c  attachments, delivery state, threading
 *                                  lookups (the only SQL of the channel)
 *   core   src/core/mail_parse.c   RFC 5322/MIME into plain C (GMime stays
 *                                  in core/, never in store/ or tui/)
 *          src/core/ingest.c       one message into a ticket, all or nothing
 *          src/core/outbound.c     replies and acknowledgements out
 *   cli    desk ingest, desk outbox
 *
 * Message-IDs are stored without the angle brackets. */
#ifndef DESK_MAIL_H
#define DESK_MAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core.h"
#include "error.h"
#include "model.h"
#include "store.h"

/* --- store: attachments ------------------------------------------------ */
struct attachment {
	int64_t id;
	int64_t message_id;  /* the row in messages (not a Message-ID) */
	char *filename;      /* sanitized: no folders, no control characters */
	char *content_type;  /* "application/pdf" */
	int64_t size;        /* bytes, decoded */
	char *path;          /* kept in attachments_dir; NULL: in the database */
};
struct attachment_list { struct attachment *v; size_t n, cap; };
void attachment_free(struct attachment *a);
void attachment_list_free(struct attachment_list *l);

/* Inside a transaction: records an attachment of message a->message_id,
 * with its content in the database (content, a->size bytes) or, when
 * a->path is set, as that path only.  Sets a->id. */
int store_attachment_insert(struct store *st, struct attachment *a, const void *content,
			    struct derr *e);
/* The attachments of one message, in the order they came. */
int store_attachments(struct store *st, int64_t message_id, struct attachment_list *out,
		      struct derr *e);
/* Every attachment of a ticket's messages, in conversation order (each
 * names its message): what the console lists beside the thread. */
int store_ticket_attachments(struct store *st, int64_t ticket_id, struct attachment_list *out,
			     struct derr *e);
/* The content of an attachment kept in the database: a new buffer of
 * *len bytes.  *data is NULL for one kept as a path (read a->path). */
int store_attachment_content(struct store *st, int64_t attachment_id, void **data, size_t *len,
			     struct derr *e);

/* --- core: attachments (src/core/attachments.c) ----------------------- */
/* A ticket's attachments, numbered from 1 in conversation order (the
 * order of store_ticket_attachments): what `desk attachment list` and
 * the console's attachment list show.  DESK_ENOTFOUND: no such ticket. */
int core_attachments(struct desk *d, int64_t ticket_id, struct attachment_list *out,
		     struct derr *e);
/* Number n (from 1) of list l, the attachments of ticket; n 0 means
 * "the only one": DESK_EUSAGE naming how many there are when several,
 * DESK_ENOTFOUND when none or n is out of range. */
int core_attachment_pick(const struct attachment_list *l, int64_t ticket, long n,
			 const struct attachment **out, struct derr *e);
/* The bytes of a: from the database or from its file in
 * attachments_dir (which must still hold a->size bytes).  A new buffer
 * of *len bytes. */
int core_attachment_read(struct desk *d, const struct attachment *a, unsigned char **data,
			 size_t *len, struct derr *e);
/* "12 bytes", "3.4 KB", "1.2 MB" (1024-based), into buf. */
const char *attachment_size_text(int64_t bytes, char *buf, size_t size);
/* A file name for a command line built from an attachment's name: only
 * letters, digits, '.', '_' and '-' are kept from its extension, the
 * rest is "attachment": "attachment.pdf".  A new string. */
char *attachment_command_name(const char *filename);
/* Writes len bytes to path as the agent (desk's group lowered): into a
 * new file beside it, then renamed over path, so a reader never sees
 * half a file.  An existing path is refused (DESK_ECONFLICT naming
 * it) unless force. */
int attachment_write_file(const char *path, const void *data, size_t len, bool force,
			  struct derr *e);

/* A file a reply sends, read from a path the agent named. */
struct outgoing_file {
	char *filename;     /* what the customer sees: the path's last part, sanitized */
	char *content_type; /* guessed from the name and the content */
	unsigned char *data;
	size_t size;
};
/* Reads path as the agent and checks it against attachments.max_size
 * and, with total (the bytes of the files already chosen),
 * attachments.max_total: DESK_EINVAL naming the file and the limit. */
int outgoing_file_load(const struct config *cfg, const char *path, size_t total,
		       struct outgoing_file *out, struct derr *e);
void outgoing_files_free(struct outgoing_file **v, size_t n);

/* --- store: threading and delivery ------------------------------------- */
/* One message by row id (as store_messages reads it); DESK_ENOTFOUND. */
int store_mail_message_get(struct store *st, int64_t id, struct message *out, struct derr *e);
/* The message whose RFC 5322 Message-ID is mid (with or without <>):
 * its row and ticket; *msg_row = *ticket_id = 0 when none. */
int store_mail_find_message_id(struct store *st, const char *mid, int64_t *msg_row,
			       int64_t *ticket_id, struct derr *e);
/* The Message-IDs of a ticket's messages (received and sent), oldest
 * first: a new NULL-terminated array of new strings, for References. */
int store_mail_thread_ids(struct store *st, int64_t ticket_id, char ***ids, size_t *n,
			  struct derr *e);
/* The latest message of the customer that has a Message-ID, leaving out
 * automatic mail and messages held aside (messages.auto); ENOTFOUND. */
int store_mail_last_customer(struct store *st, int64_t ticket_id, struct message *out,
			     struct derr *e);
/* Marks a stored message as mail: automatic (never answered) and sender. */
int store_mail_mark_inbound(struct store *st, int64_t msg_row, bool automatic,
			    const char *mail_from, struct derr *e);
/* Sets delivery ("queued", "sent", "failed") and its error (NULL clears). */
int store_mail_set_delivery(struct store *st, int64_t msg_row, const char *delivery,
			    const char *error, struct derr *e);
/* Claims a queued message for sending until `until` (a lease): *taken
 * is false when it is not queued, is held (send_after not reached) or
 * another desk's lease still runs, so
 * two desks never send one message at once.  Recording a delivery
 * (store_mail_set_delivery) ends the lease. */
int store_mail_claim(struct store *st, int64_t msg_row, int64_t until, bool *taken,
		     struct derr *e);
/* Makes ready for sending again a failed message, a queued one left with
 * a reason (a console quit while sending it), or (with stale_before > 0)
 * a queued message created before that time; never one whose lease
 * runs, nor a held one before its time.  *taken: the row was changed (the sending itself is claimed by
 * store_mail_claim). */
int store_mail_take_for_retry(struct store *st, int64_t msg_row, int64_t stale_before,
			      bool *taken, struct derr *e);
/* Held replies (undo send, src/store/held.c): a reply stored with
 * send_after is claimed (store_mail_claim) and retried only from then.
 * store_mail_unsend deletes the agent's queued reply unless a desk is
 * sending it (its lease runs): *taken says whether it did.
 * store_mail_release lets a held reply go at once (send_after cleared). */
int store_mail_unsend(struct store *st, int64_t msg_row, int64_t agent_id, bool *taken,
		      struct derr *e);
int store_mail_release(struct store *st, int64_t msg_row, struct derr *e);
/* Messages not sent yet (queued or failed), oldest first. */
int store_outbox(struct store *st, struct message_list *out, struct derr *e);
/* When a customer was last sent an acknowledgement (0: never), and
 * setting it. */
int store_customer_last_ack(struct store *st, int64_t customer_id, int64_t *at,
			    struct derr *e);
int store_customer_set_last_ack(struct store *st, int64_t customer_id, int64_t at,
				struct derr *e);

/* --- core: parsing (GMime) --------------------------------------------- */
/* GMime's global state: started on first use, once per process, and
 * released at exit (mail_lib_shutdown is registered with atexit; after
 * it, no mail function may be called). */
void mail_lib_init(void);
void mail_lib_shutdown(void);

struct mail_part {
	char *filename;     /* sanitized, never empty */
	char *content_type; /* type/subtype, lower case */
	unsigned char *data;
	size_t size;
	char *dropped;      /* why it is not kept (core_ingest: attachments
			     * limits), its data freed; NULL: kept */
};

/* One parsed message, every string valid UTF-8. */
struct mail_in {
	char *message_id;   /* without <>, a valid msg-id: when the mail's is
			     * absent or invalid, one made from a digest of
			     * the whole message (the same mail twice is the
			     * same id) */
	char **refs;        /* In-Reply-To then References, newest first, then
			     * the ids of the messages a delivery report
			     * returns; only valid msg-ids */
	size_t nrefs;
	char *from_addr;    /* the sender's address (mail_addr_valid); NULL
			     * when there is none */
	char *from_name;    /* display name, "" when none; without an address,
			     * what the From header says, or "(unknown sender)";
			     * no control characters */
	char *subject;      /* decoded, no control characters; "" when none */
	char *body;         /* the text: text/plain preferred, HTML made text */
	bool automatic;     /* auto-reply, bounce, list or loop */
	char *auto_reason;  /* which header said so, for the audit log */
	struct mail_part *parts; /* attachments */
	size_t nparts;
};

/* A name for an attachment that cannot hurt: the last path component
 * of name (any charset made UTF-8), no control characters, no leading
 * dots, at most 200 bytes; "attachment-N.ext" (by type) when nothing is
 * left.  A new string. */
char *mail_safe_filename(const char *name, const char *type, int n);

/* Parses an RFC 5322 message of len bytes.  `self` is the support
 * address (mail from it is a loop), or NULL.  DESK_EINVAL names what is
 * wrong with a message no retry can fix. */
int mail_parse(const char *data, size_t len, const char *self, struct mail_in *out,
	       struct derr *e);
void mail_in_free(struct mail_in *m);

/* Readable text from HTML: tags dropped, blocks and <br> as line breaks,
 * list items as "- ", links as "text <url>", entities decoded, script and
 * style dropped, whitespace folded as a browser would.  A new string. */
char *mail_html_to_text(const char *html, size_t len);
/* Bytes in charset (NULL or unknown: UTF-8 if valid, else windows-1252)
 * as UTF-8; ISO-8859-1 is read as windows-1252, as browsers do.  Invalid
 * sequences become U+FFFD.  A new string. */
char *mail_to_utf8(const char *data, size_t len, const char *charset);
/* The ticket number of a "[#123]" tag in a subject, or 0.  A tag is
 * only a hint: ingest threads by it only for the ticket's customer. */
int64_t mail_subject_ticket(const char *subject);

/* --- core: what may go into a header (mail_check.c) --------------------- */
/* Whether id (without <>) is an RFC 5322 msg-id: dot-atom-text "@"
 * dot-atom-text or no-fold-literal, at most 250 bytes: nothing in it can
 * end a header or start another. */
bool mail_msgid_valid(const char *id);
/* The id of a raw Message-ID header value ("<id>", folding and spaces
 * around allowed, no comments, no encoded words): a new string without
 * <>, or NULL when it is not a valid msg-id. */
char *mail_msgid_from_header(const char *raw);
/* Whether addr is a plain addr-spec desk may write in a header: one
 * '@', no space, control character, quote or bracket, at most 254 bytes. */
bool mail_addr_valid(const char *addr);
/* s on one line: every control character (C0, DEL, C1) a space, the
 * ends trimmed.  A new string. */
char *mail_clean_line(const char *s);
/* The last look at a rendered message before sendmail: its header block
 * holds only the headers desk writes, each once, a To, and no CR or NUL;
 * DESK_EINVAL says which line is wrong. */
int mail_check_headers(const char *text, size_t len, struct derr *e);
/* The copies of a reply (recipients.c).  mail_recipients_join takes
 * what the agent gave (each item one address or several separated by
 * commas or spaces), checks every one (mail_addr_valid, and none may
 * start with "-", which sendmail would read as an option) and joins them
 * by ", " without repeats: *out a new string, NULL when none were given.
 * A bad one is DESK_EINVAL naming it, prefixed by what ("Cc").
 * mail_recipients_split makes such a string a new NULL-terminated array
 * of *n new strings, freed by mail_recipients_free. */
int mail_recipients_join(const char *const *given, size_t ngiven, const char *what,
			 char **out, struct derr *e);
char **mail_recipients_split(const char *joined, size_t *n);
void mail_recipients_free(char ***v, size_t n);
/* The sender of a customer message when it is none of the addresses of
 * the ticket's customer: who really wrote it, for display; else NULL. */
struct name_list;
const char *mail_foreign_sender(const struct message *m, const struct name_list *addresses);

/* --- core: ingest and outbound ----------------------------------------- */
struct ingest_opts {
	const char *queue; /* --queue; NULL: mail.default_queue, then default_queue */
};
enum ingest_outcome {
	INGEST_NEW_TICKET,
	INGEST_APPENDED,
	INGEST_DUPLICATE, /* Message-ID already stored: nothing done */
};
struct ingest_result {
	enum ingest_outcome outcome;
	int64_t ticket_id;
	int64_t msg_row;
	bool automatic;
	bool stranger;     /* a "[#N]" mail from someone not N's customer,
			    * joined held aside (mail.stranger_tag: join) */
	bool acknowledged; /* an acknowledgement was queued (see ack_error) */
	bool survey;       /* an answer to a survey desk mailed */
	char survey_said[200]; /* what became of it: "csat 5/5 recorded", ... */
	char ack_error[1100]; /* why it was not sent, "" if it was */
};
/* Stores one message (len bytes) in one transaction: threads it, finds
 * or adds its customer, records its attachments.  *message_fault tells
 * whether a failure is the message's own (never retry) or the system's
 * (busy, disk full: retry later). */
int core_ingest(struct desk *d, const char *data, size_t len, const struct ingest_opts *o,
		struct ingest_result *r, bool *message_fault, struct derr *e);

/* The sysexits(3) code for the MTA: 0, EX_DATAERR (65) for a message
 * that can never be taken, EX_TEMPFAIL (75) for everything else (busy,
 * disk full, a broken setup), so the MTA keeps the mail and retries. */
int mail_sysexit(int rc, bool message_fault);

/* Whether a reply on t leaves by mail: mail is set up (support_address),
 * mail.reply_by_mail is on for t's channel and its customer has an
 * address.  When not, why (size bytes, "" when it is) says why not, for
 * the agent: "replies on phone tickets are not mailed (...)". */
bool outbound_plan(const struct desk *d, const struct ticket *t, char *why, size_t size);
bool outbound_wanted(const struct desk *d, const struct ticket *t);
/* A stored message's delivery as the agent reads it: "queued", "sent",
 * "failed", or "not mailed" (NULL: a note, or a reply that was not for
 * mail).  A reply is "sent" only once the sendmail command exited 0
 * having read the whole message; "failed" keeps the reason; "queued"
 * is on its way, or (with a reason) left for `desk outbox --retry`. */
const char *delivery_label(const char *delivery);
/* The reason of a message left queued by a desk stopped (the console
 * quitting, C-c on the CLI) while its sendmail command ran. */
#define OUTBOUND_LEFT_NOTE \
	"desk stopped while sendmail ran (and stopped it); desk outbox --retry sends it"
/* A new Message-ID (without <>) in the support address's domain. */
char *outbound_new_message_id(const struct desk *d, int64_t ticket_id);
/* Sends the stored outbound message msg_row through the sendmail command
 * and records the result: "sent", or "failed" with the error (also set
 * in e).  Waits for the command, at most mail.sendmail_timeout (then it
 * and its process group are killed: "failed").  A signal that would end
 * desk (C-c, a hang-up, TERM) stops the command first and leaves the
 * message queued with OUTBOUND_LEFT_NOTE.  A message not queued, or
 * being sent by another desk, is left alone: DESK_EBUSY.  Runs outside
 * any transaction. */
int outbound_send(struct desk *d, int64_t msg_row, struct derr *e);

/* The same without waiting, for the console: a slow or hung MTA never
 * holds it up.  outbound_job_start claims msg_row for sending (a lease
 * past the deadline; DESK_EBUSY when it is not queued or another desk
 * has it), renders it and starts the command (in a process group of its
 * own, out of reach of the terminal's C-c, killed whole at the
 * deadline); a message that
 * cannot be rendered or a command that cannot start is recorded
 * "failed" at once (*job NULL, e says why).  outbound_job_step moves the
 * job on without blocking (writes what the command takes, reads what it
 * says, kills it at the deadline) and is true once it is over;
 * outbound_job_finish then records the outcome as outbound_send does
 * and frees the job.  outbound_job_abandon (quitting) stops the command
 * and leaves the message queued with OUTBOUND_LEFT_NOTE, unless it ended
 * meanwhile (then its outcome is recorded); returns DESK_OK only if it
 * was sent. */
struct outbound_job;
int outbound_job_start(struct desk *d, int64_t msg_row, struct outbound_job **job,
		       struct derr *e);
bool outbound_job_step(struct outbound_job *job);
int64_t outbound_job_message(const struct outbound_job *job);
int outbound_job_finish(struct desk *d, struct outbound_job **job, struct derr *e);
int outbound_job_abandon(struct desk *d, struct outbound_job **job, struct derr *e);
/* The message as it would be handed to sendmail (tests, --dry-run). */
int outbound_render(struct desk *d, int64_t msg_row, char **text, size_t *len,
		    struct derr *e);

#endif
