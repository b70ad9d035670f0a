/* cmd_show.c: desk show ID: a ticket, its customer and its thread. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mail.h"
#include "text.h"
#include "util.h"

static void field(const char *name, const char *value)
{
	printf("%-10s ", name);
	cli_print_safe(value && *value ? value : "-", false);
	fputc('\n', stdout);
}

/* "--- survey csat 4/5, by mail, DATE ---" and the customer's words. */
static void print_survey(const struct survey *s)
{
	char when[32], score[32];
	time_format_local(s->answered_at, when, sizeof when);
	survey_score_text(s->kind, s->score, score, sizeof score);
	printf("\n--- survey %s, ", score);
	if (s->request_id)
		printf("answered by mail");
	else if (s->agent_login) {
		printf("recorded by ");
		cli_print_safe(s->agent_login, false);
	} else
		printf("imported");
	printf(", %s ---\n", when);
	if (s->comment) {
		cli_print_safe(s->comment, true);
		fputc('\n', stdout);
	}
}

static void time_field(const char *name, int64_t t)
{
	char buf[32] = "-";
	if (t)
		time_format_local(t, buf, sizeof buf);
	field(name, buf);
}

/* The files of message row, numbered as desk attachment list numbers
 * them (their place among the ticket's). */
static void print_attachments(const struct attachment_list *al, int64_t row)
{
	bool first = true;
	for (size_t i = 0; i < al->n; i++) {
		const struct attachment *a = &al->v[i];
		if (a->message_id != row)
			continue;
		char size[32];
		attachment_size_text(a->size, size, sizeof size);
		printf("%s[attachment %zu: ", first ? "\n" : "", i + 1);
		cli_print_safe(a->filename, false);
		fputs(" (", stdout);
		cli_print_safe(a->content_type, false);
		printf(", %s)]\n", size);
		first = false;
	}
}

/* The time spent: one line each, oldest first, after the thread. */
static void time_entries(const struct time_entry_list *tl)
{
	printf("\n--- time spent ---\n");
	for (size_t i = 0; i < tl->n; i++) {
		const struct time_entry *te = &tl->v[i];
		char when[32], dur[32];
		time_format_local(te->created_at, when, sizeof when);
		time_format_duration(te->seconds, dur, sizeof dur);
		printf("%s  %-9s %-8s ", when, dur, te->measured ? "measured" : "manual");
		cli_print_safe(te->agent_login ? te->agent_login : "?", false);
		if (te->message_id)
			printf(" (with message %lld)", (long long)te->message_id);
		if (te->note) {
			fputs(": ", stdout);
			cli_print_safe(te->note, false);
		}
		fputc('\n', stdout);
	}
}

static int show_text(struct desk *d, const struct ticket *t, bool history, struct derr *e)
{
	printf("Ticket #%lld: ", (long long)t->id);
	cli_print_safe(t->subject, false);
	fputc('\n', stdout);
	field("status", status_name(t->status));
	field("priority", priority_name(t->priority));
	field("channel", channel_name(t->channel));
	field("queue", t->queue);
	field("assignee", t->assignee_login);
	struct strbuf tags = {0};
	for (size_t i = 0; i < t->ntags; i++)
		sb_addf(&tags, "%s%s", i ? " " : "", t->tags[i]);
	field("tags", sb_str(&tags));
	sb_free(&tags);
	time_field("created", t->created_at);
	time_field("updated", t->updated_at);
	time_field("due", t->next_due);
	if (t->reopens) {
		char n[16];
		snprintf(n, sizeof n, "%d", t->reopens);
		field("reopens", n);
	}
	if (t->merged_into) {
		char n[32];
		snprintf(n, sizeof n, "#%lld", (long long)t->merged_into);
		field("merged", n);
	}
	struct time_entry_list spent = {0};
	int rc = store_time_entries(d->st, t->id, &spent, e);
	if (rc)
		return rc;
	if (spent.n) {
		int64_t sum = 0;
		for (size_t i = 0; i < spent.n; i++)
			sum += spent.v[i].seconds;
		char dur[32], buf[64];
		time_format_duration(sum, dur, sizeof dur);
		snprintf(buf, sizeof buf, "%s (%zu entr%s)", dur, spent.n, spent.n == 1 ? "y" : "ies");
		field("time", buf);
	}
	struct customer cu = {0};
	if (t->customer_id && store_customer_get(d->st, t->customer_id, &cu, NULL) == DESK_OK) {
		char *who = xasprintf("%s%s%s%s", cu.name ? cu.name : "", cu.email ? " <" : "",
				      cu.email ? cu.email : "", cu.email ? ">" : "");
		field("customer", who);
		free(who);
		if (cu.organization)
			field("org", cu.organization);
		if (cu.phone)
			field("phone", cu.phone);
		customer_free(&cu);
	}
	struct message_list ml = {0};
	struct name_list addrs = {0};
	if (t->customer_id)
		store_customer_emails(d->st, t->customer_id, &addrs, NULL);
	struct attachment_list al = {0};
	rc = store_messages(d->st, t->id, &ml, e);
	struct survey_list sl = {0};
	if (rc == DESK_OK)
		rc = store_surveys(d->st, t->id, &sl, e);
	size_t next_survey = 0;
	if (rc == DESK_OK)
		rc = store_ticket_attachments(d->st, t->id, &al, e);
	for (size_t i = 0; rc == DESK_OK && i < ml.n; i++) {
		const struct message *m = &ml.v[i];
		/* the answers in conversation order, each after what led to it */
		while (next_survey < sl.n && sl.v[next_survey].answered_at < m->created_at)
			print_survey(&sl.v[next_survey++]);
		char when[32];
		time_format_local(m->created_at, when, sizeof when);
		static const char *const label[] = {"customer", "reply", "internal note",
						    "system"};
		printf("\n--- %s, ", label[m->kind]);
		/* who really wrote it, when that is not the ticket's customer */
		const char *foreign = mail_foreign_sender(m, &addrs);
		if (foreign) {
			cli_print_safe(foreign, false);
			printf(" (not the customer)");
		} else {
			cli_print_safe(m->author ? m->author : "desk", false);
		}
		printf(", %s ---\n", when);
		/* a reply's copies: addresses desk checked, shown safe anyway */
		if (m->cc) {
			printf("Cc: ");
			cli_print_safe(m->cc, false);
			fputc('\n', stdout);
		}
		if (m->bcc) {
			printf("Bcc: ");
			cli_print_safe(m->bcc, false);
			fputc('\n', stdout);
		}
		if (m->forward_to) {
			printf("Forwarded to: ");
			cli_print_safe(m->forward_to, false);
			fputc('\n', stdout);
		}
		cli_print_safe(m->body, true);
		fputc('\n', stdout);
		print_attachments(&al, m->id);
	}
	while (rc == DESK_OK && next_survey < sl.n)
		print_survey(&sl.v[next_survey++]);
	survey_list_free(&sl);
	attachment_list_free(&al);
	message_list_free(&ml);
	name_list_free(&addrs);
	if (rc == DESK_OK && spent.n)
		time_entries(&spent);
	time_entry_list_free(&spent);
	if (rc == DESK_OK && history) {
		struct event_list el = {0};
		rc = store_events(d->st, t->id, &el, e);
		printf("\n--- history ---\n");
		for (size_t i = 0; rc == DESK_OK && i < el.n; i++) {
			const struct event *ev = &el.v[i];
			char when[32];
			time_format_local(ev->at, when, sizeof when);
			/* Every part of an event may come from an import file. */
			char *who = text_sanitize(ev->agent_login ? ev->agent_login : "desk", 0);
			char *action = text_sanitize(ev->action, 0);
			printf("%s  %-10s %-8s", when, who, action);
			free(who);
			free(action);
			if (ev->field) {
				printf(" ");
				cli_print_safe(ev->field, false);
				printf(": ");
				cli_print_safe(ev->old_value ? ev->old_value : "-", false);
				printf(" -> ");
				cli_print_safe(ev->new_value ? ev->new_value : "-", false);
			} else if (ev->new_value) {
				fputc(' ', stdout);
				cli_print_safe(ev->new_value, false);
			}
			fputc('\n', stdout);
		}
		event_list_free(&el);
	}
	return rc;
}

static int exec_show(struct cli_ctx *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{"history", no_argument, NULL, 'H'},
		{0},
	};
	bool json = false, history = false;
	int o;
	while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		if (o == 'j')
			json = true;
		else if (o == 'H')
			history = true;
		else
			return cli_option_error(c, o, argv);
	}
	if (optind >= argc)
		return cli_usage(c, "which ticket?");
	if (optind + 1 < argc)
		return cli_usage(c, "one ticket at a time");
	int64_t id;
	if (!cli_ticket_id(c, argv[optind], &id))
		return EXIT_USAGE;
	struct desk d;
	int rc = cli_open(c, &d, DESK_OPEN_READONLY);
	if (rc)
		return rc;
	struct derr e = {0};
	if (json) {
		char *s;
		if ((rc = store_ticket_show_json(d.st, id, &s, &e)) == DESK_OK)
			printf("%s\n", s), free(s);
	} else {
		struct ticket t;
		if ((rc = store_ticket_get(d.st, id, &t, &e)) == DESK_OK) {
			rc = show_text(&d, &t, history, &e);
			ticket_free(&t);
		}
	}
	desk_close(&d);
	return rc ? cli_fail(&e) : EXIT_OK;
}

const struct cli_cmd cmd_show = {
	.name = "show",
	.args = "ID [--history] [--json]",
	.summary = "show a ticket with its customer and whole conversation",
	.help = "--history adds the audit trail: who changed what, when, from what to\n"
		"what.  --json prints the ticket in the import/export format plus its id.\n",
	.exec = exec_show,
};
