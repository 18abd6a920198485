#!/usr/bin/env perl
# A query_rewriter stage in Perl: newline-delimited JSON-RPC 2.0 on stdin/stdout, as described in
# docs/stdio-protocol.md. Fixes common misspellings in the query text and logs each fix.
use strict;
use warnings;
use JSON::PP;

my $json = JSON::PP->new->utf8->canonical;
my %FIXES = (
    dagstak => 'dagstack', dagstakc => 'dagstack', pyhton => 'python', teh => 'the',
    recieve => 'receive', seperate => 'separate', qeury => 'query',
);
$| = 1;
# Log notifications only for a client that said it reads them (the dagstack console does; the
# reference's adapter would take a notification for the answer).
my $client_reads_logs = 0;

sub send_message { print $json->encode({ jsonrpc => '2.0', @_ }), "\n" }

while (my $line = <STDIN>) {
    my $message = eval { $json->decode($line) };
    next unless ref $message eq 'HASH';
    my ($id, $method, $params) = @{$message}{qw(id method params)};
    next unless defined $id;    # notifications want no answer

    if ($method eq 'initialize') {
        $client_reads_logs = ref $params eq 'HASH' && exists $params->{dagstack};
        send_message(id => $id, result => {
            server_info => { name => 'spellfix', language => 'perl' },
            hooks       => ['rewrite'],
        });
    }
    elsif ($method eq 'rewrite') {
        my $query = ref $params eq 'HASH' && ref $params->{_args} eq 'ARRAY' ? $params->{_args}[0] : undef;
        if (ref $query ne 'HASH' || !defined $query->{text} || ref $query->{text}) {
            send_message(id => $id, error => {
                code => -32602, message => 'rewrite expects a query object with a "text" string',
                data => { type => 'InvalidParams' },
            });
            next;
        }
        my $text = $query->{text};
        $text =~ s{(\w+)}{
            my $word = $1;
            my $fix  = $FIXES{lc $word};
            if (defined $fix) {
                send_message(method => 'log', params => { level => 'info', message => "spellfix: $word -> $fix" })
                    if $client_reads_logs;
                $fix;
            } else { $word }
        }ge;
        send_message(id => $id, result => { %$query, text => $text });
    }
    elsif ($method eq 'shutdown') {
        send_message(id => $id, result => undef);
        last;
    }
    else {
        send_message(id => $id, error => { code => -32601, message => "spellfix has no hook '$method'" });
    }
}
