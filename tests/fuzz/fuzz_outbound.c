/* fuzz_outbound.c: libFuzzer target for what hostile inbound headers
 * can make desk send.  Each input is the header block of a mail (a body
 * is added); it goes through core_ingest with acknowledgements on, then
 * an agent replies on its ticket.  The acknowledgement and the reply, as
 * they would reach sendmail, are parsed back with GMime and must hold
 * only the headers desk writes, each once, and exactly one recipient:
 * the ticket's customer, at an address desk accepted.  Nothing is ever
 * sent: the sendmail command is empty, and the rendering is checked. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <gmime/gmime.h>

#include "config.h"
#include "core.h"
#include "mail.h"
#include "fuzz_desk.h"
#include "util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	const char *dir = fuzz_dir_make("fuzz_outbound");
	char *canned = xasprintf("%s/canned.yaml", dir);
	FILE *f = fopen(canned, "w");
	if (!f)
		abort();
	/* the customer's name and the subject go into the body too */
	fputs("- name: got-it\n  title: Received\n"
	      "  body: \"Dear {{customer.name}}, ticket {{ticket.id}} ({{ticket.subject}}).\"\n",
	      f);
	fclose(f);
	char *yaml = xasprintf("canned: %s\nmail:\n  support_address: \"Desk <help@desk.test>\"\n"
			       "  acknowledge: {enabled: true, canned: got-it}\n",
			       canned);
	free(canned);
	struct derr e = {0};
	if (config_load_string(yaml, "fuzz.yaml", &fuzz_cfg, &e) != DESK_OK) {
		fprintf(stderr, "fuzz_outbound: %s\n", e.msg);
		abort();
	}
	free(yaml);
	/* an empty command: outbound_send stops before running anything */
	for (size_t i = 0; i < fuzz_cfg.mail.nsendmail; i++)
		xfree(&fuzz_cfg.mail.sendmail[i]);
	fuzz_cfg.mail.nsendmail = 0;
	fuzz_desk_open();
	return 0;
}

static const char *const written[] = {
	"From",       "To",           "Subject",      "Date",
	"Message-Id", "In-Reply-To",  "References",   "Auto-Submitted",
	"X-Desk-Ticket", "MIME-Version", "Content-Type", "Content-Transfer-Encoding",
};

static void fail(const char *why, const char *text)
{
	fprintf(stderr, "fuzz_outbound: %s\n--- rendered ---\n%s\n---\n", why, text);
	abort();
}

/* Parses what desk would send and checks its header set and recipient. */
static void check_sent(int64_t row, const char *customer_email)
{
	char *text;
	size_t len;
	struct derr e = {0};
	if (outbound_render(&fuzz_d, row, &text, &len, &e) != DESK_OK) {
		/* the last check refusing means a check before it missed */
		fprintf(stderr, "fuzz_outbound: message %lld not rendered: %s\n", (long long)row,
			e.msg);
		abort();
	}
	if (memchr(text, '\0', len))
		fail("a NUL byte in the message", text);
	GMimeStream *st = g_mime_stream_mem_new_with_buffer(text, len);
	GMimeParser *p = g_mime_parser_new_with_stream(st);
	GMimeMessage *msg = g_mime_parser_construct_message(p, NULL);
	g_object_unref(p);
	g_object_unref(st);
	if (!msg)
		fail("GMime cannot read what desk sends", text);
	GMimeHeaderList *hl = g_mime_object_get_header_list(GMIME_OBJECT(msg));
	int n = g_mime_header_list_get_count(hl);
	bool seen[ARRAY_LEN(written)] = {false};
	for (int i = 0; i < n; i++) {
		const char *name = g_mime_header_get_name(g_mime_header_list_get_header_at(hl, i));
		size_t k = 0;
		while (k < ARRAY_LEN(written) && strcasecmp(name, written[k]) != 0)
			k++;
		if (k == ARRAY_LEN(written))
			fail("a header desk did not mean to write", text);
		if (seen[k])
			fail("a header written twice", text);
		seen[k] = true;
	}
	InternetAddressList *to = g_mime_message_get_addresses(msg, GMIME_ADDRESS_TYPE_TO);
	if (!to || internet_address_list_length(to) != 1)
		fail("not exactly one recipient", text);
	InternetAddress *ia = internet_address_list_get_address(to, 0);
	if (!INTERNET_ADDRESS_IS_MAILBOX(ia))
		fail("the recipient is not a mailbox", text);
	/* Compared as they travel: an internationalised domain is written
	 * in its IDNA form (punycode, case folded) by GMime. */
	InternetAddress *want = internet_address_mailbox_new(NULL, customer_email);
	const char *addr = internet_address_mailbox_get_idn_addr(INTERNET_ADDRESS_MAILBOX(ia));
	const char *wanted = internet_address_mailbox_get_idn_addr(INTERNET_ADDRESS_MAILBOX(want));
	bool same = addr && wanted && strcasecmp(addr, wanted) == 0;
	g_object_unref(want);
	if (!same)
		fail("a recipient desk did not choose", text);
	g_object_unref(msg);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned long runs = fuzz_desk_next(2000);
	/* a new hour each time: the acknowledgement is never held back */
	char now[32];
	snprintf(now, sizeof now, "%lu", 1800000000ul + runs * 3601ul);
	setenv("DESK_NOW", now, 1);
	struct strbuf b = {0};
	sb_addn(&b, (const char *)data, size);
	sb_add(&b, "\n\nHello, it is broken.\n");
	size_t len = b.len;
	char *mail = sb_take(&b);
	struct ingest_result r;
	struct derr e = {0};
	bool fault;
	int rc = core_ingest(&fuzz_d, mail, len, NULL, &r, &fault, &e);
	free(mail);
	if (rc != DESK_OK && !fault) {
		fprintf(stderr, "fuzz_outbound: a system error on a message: %s\n", e.msg);
		abort();
	}
	if (rc != DESK_OK || r.outcome == INGEST_DUPLICATE)
		return 0;
	struct ticket t;
	if (store_ticket_get(fuzz_d.st, r.ticket_id, &t, &e) != DESK_OK)
		abort();
	if (outbound_wanted(&fuzz_d, &t)) {
		if (!mail_addr_valid(t.customer_email))
			abort(); /* ingest stored an address desk cannot write */
		struct message_list ml = {0};
		if (store_messages(fuzz_d.st, t.id, &ml, &e) != DESK_OK)
			abort();
		for (size_t i = 0; i < ml.n; i++)
			if (ml.v[i].kind == MSG_SYSTEM && ml.v[i].delivery)
				check_sent(ml.v[i].id, t.customer_email);
		message_list_free(&ml);
		int64_t row;
		if (core_post(&fuzz_d, t.id, MSG_REPLY, "We are on it.", NULL, 0, &row, &e) != DESK_OK) {
			fprintf(stderr, "fuzz_outbound: reply: %s\n", e.msg);
			abort();
		}
		check_sent(row, t.customer_email);
	}
	ticket_free(&t);
	return 0;
}
