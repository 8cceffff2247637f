using ContactRouter.Contracts;
using ContactRouter.Routing;

namespace ContactRouter.Components;

/// <summary>Turns the routing core's events into the bus's event contracts.</summary>
public static class EventMapping
{
    /// <summary>The contact a <see cref="QueueContact"/> brings: what the worker queues, and what the API shows before it has.</summary>
    public static Contact ContactOf(QueueContact m) => new()
    {
        Id = m.ContactId, HomeCentre = m.HomeCentre, Centre = m.Centre, Channel = m.Channel, Caller = m.Caller,
        Priority = m.Priority, Topic = m.Topic, QueuedAt = m.QueuedAt, Hops = m.Hops,
    };

    public static IEnumerable<object> ToMessages(Centre centre, CentreChanges changes, DateTimeOffset now, long version)
    {
        var contacts = changes.Contacts.ToDictionary(c => c.Id);
        foreach (var e in changes.Events)
        {
            yield return e switch
            {
                ContactWasQueued q => Queued(contacts[q.ContactId]),
                ContactWasOffered o => new ContactOffered { ContactId = o.ContactId, Centre = centre.Id, AgentId = o.AgentId, OfferedAt = o.At, ExpiresAt = o.ExpiresAt },
                ContactWasAnswered a => new ContactAnswered { ContactId = a.ContactId, Centre = centre.Id, AgentId = a.AgentId, AnsweredAt = a.At, WaitedSeconds = a.Waited.TotalSeconds },
                ContactWasRequeued r => new ContactRequeued { ContactId = r.ContactId, Centre = centre.Id, AgentId = r.AgentId, Reason = Lower(r.Reason), At = r.At },
                ContactWasCompleted c => new ContactCompleted
                {
                    ContactId = c.ContactId, Centre = centre.Id, AgentId = c.AgentId, Outcome = c.Outcome,
                    Summary = contacts[c.ContactId].Summary, CompletedAt = c.At,
                },
                ContactWasAbandoned a => new ContactAbandoned { ContactId = a.ContactId, Centre = centre.Id, AbandonedAt = a.At, WaitedSeconds = a.Waited.TotalSeconds },
                ContactWasTransferred t => new ContactTransferred
                {
                    ContactId = t.ContactId, HomeCentre = contacts[t.ContactId].HomeCentre, FromCentre = t.FromCentre, ToCentre = t.ToCentre,
                    Hops = t.Hops, At = t.At,
                },
                ContactPriorityWasRaised p => new ContactPriorityRaised { ContactId = p.ContactId, Centre = centre.Id, Priority = p.Priority, At = p.At },
                AgentStatusWasChanged s => new AgentStatusChanged { AgentId = s.AgentId, Centre = centre.Id, Status = Lower(s.Status), At = s.At },
                _ => throw new InvalidOperationException($"No contract for {e.GetType().Name}."),
            };
        }
        yield return LoadOf(centre, now, version);
    }

    /// <summary>The command that puts a contact moved by overflow into its new centre's queue.</summary>
    public static IEnumerable<QueueContact> Moves(CentreChanges changes)
    {
        var contacts = changes.Contacts.ToDictionary(c => c.Id);
        foreach (var moved in changes.Events.OfType<ContactWasTransferred>())
        {
            var c = contacts[moved.ContactId];
            yield return new QueueContact
            {
                Centre = moved.ToCentre, ContactId = c.Id, HomeCentre = c.HomeCentre, Channel = c.Channel, Caller = c.Caller,
                Priority = c.Priority, Topic = c.Topic, QueuedAt = c.QueuedAt, Hops = c.Hops,
            };
        }
    }

    /// <summary>
    /// How much of the queue a load event carries: its head in routing order. It went out whole on every command, so
    /// its cost grew with the line (10,000 waiting: a megabyte per command). Its only reader, the overflow router,
    /// moves at most one contact per free agent next door, and those come from the head; <c>Waiting</c> still counts all.
    /// </summary>
    public const int QueueShown = 100;

    public static CentreLoadChanged LoadOf(Centre centre, DateTimeOffset now, long version)
    {
        var (waiting, since) = centre.Waiting();
        var picture = centre.Picture(head: QueueShown);
        return new CentreLoadChanged
        {
            Centre = centre.Id,
            At = now,
            Version = version,
            Queue = picture.Waiting.Select(w => new QueuedContactInfo
            {
                ContactId = w.ContactId, HomeCentre = w.HomeCentre, Priority = w.Priority, QueuedAt = w.QueuedAt, Hops = w.Hops,
            }).ToList(),
            FreeAgents = picture.FreeAgentSkills,
            Waiting = waiting,
            OldestWaitingSince = since,
            Agents = centre.AgentsByStatus().ToDictionary(p => Lower(p.Key), p => p.Value),
            Offered = centre.Today.Offered,
            Answered = centre.Today.Answered,
            Abandoned = centre.Today.Abandoned,
            ServiceLevel = centre.Today.ServiceLevel,
        };
    }

    public static string Lower<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();

    private static ContactQueued Queued(Contact c) => new()
    {
        ContactId = c.Id, Centre = c.Centre, HomeCentre = c.HomeCentre, Channel = c.Channel, Caller = c.Caller,
        Priority = c.Priority, Topic = c.Topic, QueuedAt = c.QueuedAt, Hops = c.Hops,
    };
}
