using System.Collections.Concurrent;
using System.Threading.Channels;
using ContactRouter.Contracts;
using ContactRouter.Routing;
using ContactRouter.Store;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ContactRouter.Telephony;

/// <summary>
/// Translates between the SIP front and the router. Kamailio's events (<see cref="SipEvent"/>) become the router's
/// commands — a new caller is <see cref="QueueContact"/>, the phone picked up is <see cref="AcceptOffer"/>, declined is
/// <see cref="RejectOffer"/>, the caller hanging up is <see cref="AbandonContact"/> — and the router's events become
/// instructions to Kamailio: <see cref="ContactOffered"/> rings the agent's phone. The router decides everything; this
/// only keeps phone and router in step, so the routing core stays as it is.
/// </summary>
public sealed class CallDesk(IOptions<TelephonyOptions> options, FrontCommands commands, TimeProvider time, ILogger<CallDesk> log)
{
    private readonly ConcurrentDictionary<string, Call> _byCallId = new();
    private readonly ConcurrentDictionary<string, Call> _byContact = new();
    /// <summary>The last registration state told to the router per agent: a phone re-registers every few minutes.</summary>
    private readonly ConcurrentDictionary<string, bool> _phones = new();
    private readonly Channel<string> _instructions = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    /// <summary>
    /// Per agent, the call whose INVITE is on the agent's phone, from the ring until the branch's final answer (picked
    /// up, declined, stopped, cancelled). The router may offer the agent the next caller before then (an offer that ran
    /// out, the agent back at once): that caller waits in <see cref="_nextOnPhone"/> and rings once the phone is free.
    /// Both under <see cref="_phoneLines"/>, taken inside a call's lock and never the other way round.
    /// </summary>
    private readonly Dictionary<string, string> _onPhone = [];
    private readonly Dictionary<string, Call> _nextOnPhone = [];
    private readonly Lock _phoneLines = new();

    /// <summary>What to tell Kamailio, in order (<see cref="SipFront"/> writes them on the link).</summary>
    public ChannelReader<string> Instructions => _instructions.Reader;

    /// <summary>Calls the component follows now (parked, ringing or connected).</summary>
    public int ActiveCalls => _byCallId.Count;

    public Task Handle(SipEvent e, CancellationToken ct) => e.Event switch
    {
        "invite" => Invite(e, ct),
        "ringing" => Task.CompletedTask,
        "answered" => Answered(e, ct),
        "declined" => Declined(e, ct),
        "unreachable" => Unreachable(e, ct),
        "stopped" => Stopped(e),
        "cancel" => Cancelled(e, ct),
        "dropped" => Dropped(e, ct),
        "ended" => BranchEnded(e),
        "bye" => HungUp(e),
        "reached" => Reached(e, ct),
        "notreached" => NotReached(e, ct),
        "registration" => Registration(e, ct),
        _ => Unknown(e),
    };

    private async Task Invite(SipEvent e, CancellationToken ct)
    {
        var topic = string.IsNullOrWhiteSpace(e.Topic) || e.Topic.Length > 64 ? null : e.Topic.Trim();
        var centre = options.Value.CentreFor(e.To ?? "", topic);
        if (centre is null && await Dial(e, ct)) return;
        if (centre is null)
        {
            // Another component on the same Kamailio may own the number; with RefuseUnknown this one answers for all.
            if (options.Value.RefuseUnknown)
                _instructions.Writer.TryWrite(SipInstruction.Reply(e.CallId, e.TIndex, e.TLabel, 404, "Not Found"));
            return;
        }
        var call = new Call { CallId = e.CallId, ContactId = Call.ContactIdFor(e.CallId), TIndex = e.TIndex, TLabel = e.TLabel, CSeq = e.CSeq, Centre = centre };
        if (!_byCallId.TryAdd(call.CallId, call)) return;
        _byContact[call.ContactId] = call;
        // A hidden or foreign-looking number is no customer key: each such caller is a party of their own, never merged.
        var caller = PhoneNumber.TryNormalise(e.From, out var number) ? number : $"anonymous-{call.ContactId}";
        log.LogInformation("Call {Contact} parked for {Centre}", call.ContactId, centre);
        await commands.Send(new QueueContact
        {
            CommandId = Call.CommandIdFor(call.CallId, "queue"), Centre = centre, ContactId = call.ContactId, HomeCentre = centre,
            Channel = "phone", Caller = caller, Topic = topic, QueuedAt = time.GetUtcNow(),
        }, ct);
    }

    /// <summary>
    /// An agent connected to a callback dials the customer from their phone: the call goes to the provider's gateway,
    /// and its answer is the attempt's result. False when the caller is no such agent (the call is then a caller's).
    /// </summary>
    private async Task<bool> Dial(SipEvent e, CancellationToken ct)
    {
        if (options.Value.Gateway.Length == 0 || string.IsNullOrEmpty(e.From)) return false;
        if (await commands.CallbackOf(e.From, ct) is not { } callback) return false;
        // Only the callback's own number: the front is no way to phone anyone else at the municipality's expense.
        if (!PhoneNumber.TryNormalise(e.To, out var dialled) || !PhoneNumber.TryNormalise(callback.Caller, out var customer) || dialled != customer)
        {
            log.LogWarning("Agent {Agent} dialled a number that is not their callback's customer; refused", AccessLog.Clip(e.From, 64));
            _instructions.Writer.TryWrite(SipInstruction.Reply(e.CallId, e.TIndex, e.TLabel, 403, "Forbidden"));
            return true;
        }
        var call = new Call
        {
            CallId = e.CallId, ContactId = callback.ContactId, TIndex = e.TIndex, TLabel = e.TLabel, CSeq = e.CSeq,
            Centre = callback.Centre, AgentId = e.From, Outbound = true, State = CallState.Ringing,
        };
        if (!_byCallId.TryAdd(call.CallId, call)) return true;
        log.LogInformation("Callback {Contact}: agent {Agent} dials the customer", call.ContactId, AccessLog.Clip(e.From, 64));
        _instructions.Writer.TryWrite(SipInstruction.Dial(call, $"sip:{e.To}@{options.Value.Gateway}"));
        return true;
    }

    /// <summary>
    /// The customer picked up: reached, recorded on the callback by the front. The call is the agent's now; they complete
    /// it with a summary as after any call.
    /// </summary>
    private Task Reached(SipEvent e, CancellationToken ct)
    {
        if (!_byCallId.TryGetValue(e.CallId, out var call) || !call.Outbound) return Task.CompletedTask;
        lock (call) call.State = CallState.Connected;
        return commands.Publish(new CallbackCustomerAnswered { ContactId = call.ContactId, At = time.GetUtcNow() }, ct);
    }

    /// <summary>
    /// No answer, busy, or the agent gave up before the customer answered: not reached, recorded by the front (the
    /// callback's next attempt is planned as after a "not reached" typed in the console).
    /// </summary>
    private Task NotReached(SipEvent e, CancellationToken ct)
    {
        if (!_byCallId.TryGetValue(e.CallId, out var call) || !call.Outbound) return Task.CompletedTask;
        lock (call) call.State = CallState.Ended;
        Forget(call);
        log.LogInformation("Callback {Contact}: the customer did not answer ({Code})", call.ContactId, e.Code);
        return commands.Send(new CompleteContact
        {
            CommandId = Call.CommandIdFor(call.CallId, "notreached"), Centre = call.Centre, ContactId = call.ContactId, Outcome = "notreached",
        }, ct);
    }

    /// <summary>The router offers a contact to an agent: if it is one of our parked callers, that agent's phone rings.</summary>
    public void Offered(ContactOffered offer)
    {
        if (!_byContact.TryGetValue(offer.ContactId, out var call)) return;
        lock (call)
        {
            // Offered before, but that phone never rang (it was busy) and the offer was taken back: as good as parked.
            if (call.State == CallState.Ringing && call.WaitingForPhone) ParkWithoutRinging(call);
            if (call.State == CallState.Ringing && call.Stopping)
            {
                // The previous phone is still being stopped: this one rings once Kamailio has parked the caller again.
                call.NextAgentId = offer.AgentId;
                call.Centre = offer.Centre;
                return;
            }
            if (call.State != CallState.Parked)
            {
                log.LogWarning("Offer of call {Contact} to {Agent} while it is {State}; left alone", call.ContactId, AccessLog.Clip(offer.AgentId, 64), call.State);
                return;
            }
            call.Centre = offer.Centre;
            Ring(call, offer.AgentId);
        }
    }

    /// <summary>Under the call's lock: rings the agent's phone, or lets the call wait until the phone's current branch has ended.</summary>
    private void Ring(Call call, string agentId)
    {
        call.State = CallState.Ringing;
        call.AgentId = agentId;
        lock (_phoneLines)
        {
            if (_onPhone.TryGetValue(agentId, out var busy) && busy != call.CallId)
            {
                log.LogInformation("Call {Contact} waits for the phone of {Agent}, which still rings for another caller", call.ContactId, AccessLog.Clip(agentId, 64));
                _nextOnPhone[agentId] = call;
                call.WaitingForPhone = true;
                return;
            }
            _onPhone[agentId] = call.CallId;
        }
        call.WaitingForPhone = false;
        _instructions.Writer.TryWrite(SipInstruction.Ring(call, agentId));
    }

    /// <summary>Under the call's lock: a call that waited for a phone that never rang for it is parked (nothing to stop).</summary>
    private void ParkWithoutRinging(Call call)
    {
        lock (_phoneLines)
            if (call.AgentId is { } agent && _nextOnPhone.TryGetValue(agent, out var waiting) && waiting == call)
                _nextOnPhone.Remove(agent);
        call.WaitingForPhone = false;
        call.State = CallState.Parked;
        call.AgentId = null;
    }

    /// <summary>
    /// Not under any call's lock: the phone's branch for <paramref name="callId"/> has its final answer, so a call that
    /// waits for that phone rings it now.
    /// </summary>
    private void PhoneFree(string? agentId, string callId)
    {
        while (agentId is not null)
        {
            Call? next;
            lock (_phoneLines)
            {
                if (!_onPhone.TryGetValue(agentId, out var current) || current != callId) return;
                _onPhone.Remove(agentId);
                if (!_nextOnPhone.Remove(agentId, out next)) return;
                _onPhone[agentId] = next.CallId;
            }
            lock (next)
            {
                if (next.State == CallState.Ringing && next.WaitingForPhone && next.AgentId == agentId)
                {
                    next.WaitingForPhone = false;
                    _instructions.Writer.TryWrite(SipInstruction.Ring(next, agentId));
                    return;
                }
            }
            // It no longer waits (hung up, or taken back meanwhile): the phone is free again.
            callId = next.CallId;
        }
    }

    /// <summary>
    /// The router took an offer back (it ran out, the agent rejected it in the console or left): if that agent's phone
    /// rings for one of our callers, it stops (CANCEL) and the caller is parked again, keeping their place in the queue.
    /// </summary>
    public void Requeued(ContactRequeued requeued)
    {
        if (!_byContact.TryGetValue(requeued.ContactId, out var call)) return;
        lock (call)
        {
            if (call.State == CallState.Ringing && call.WaitingForPhone && call.AgentId == requeued.AgentId)
            {
                ParkWithoutRinging(call);
                return;
            }
            if (call.State != CallState.Ringing || call.Stopping || call.AgentId != requeued.AgentId) return;
            call.Stopping = true;
            _instructions.Writer.TryWrite(SipInstruction.Stop(call));
        }
    }

    /// <summary>Kamailio stopped the ringing and parked the caller again; a new offer that came meanwhile rings now.</summary>
    private Task Stopped(SipEvent e)
    {
        // The phone first: the call may be offered to the same phone again at once.
        PhoneFree(e.Agent, e.CallId);
        if (!_byCallId.TryGetValue(e.CallId, out var call)) return Task.CompletedTask;
        lock (call)
            if (call.State == CallState.Ringing) ParkedAgain(call);
        return Task.CompletedTask;
    }

    /// <summary>Under the call's lock: the caller waits again; an offer that arrived meanwhile rings its phone.</summary>
    private void ParkedAgain(Call call)
    {
        call.State = CallState.Parked;
        call.AgentId = null;
        call.Stopping = false;
        if (call.NextAgentId is { } next)
        {
            call.NextAgentId = null;
            Ring(call, next);
        }
    }

    /// <summary>Overflow moved the contact: its later commands go to its new centre.</summary>
    public void Transferred(ContactTransferred moved)
    {
        if (_byContact.TryGetValue(moved.ContactId, out var call))
            lock (call) call.Centre = moved.ToCentre;
    }

    private Task Answered(SipEvent e, CancellationToken ct)
    {
        // Picked up: the phone's branch is over (the router offers nobody to an agent in a call).
        PhoneFree(e.Agent, e.CallId);
        if (!_byCallId.TryGetValue(e.CallId, out var call)) return Task.CompletedTask;
        string agent, centre;
        lock (call)
        {
            if (call.State != CallState.Ringing || call.AgentId is null) return Task.CompletedTask;
            if (call.Stopping)
                log.LogWarning("Call {Contact} was picked up as its offer was taken back; the router decides whether it stands", call.ContactId);
            call.State = CallState.Connected;
            call.Stopping = false;
            (agent, centre) = (call.AgentId, call.Centre);
        }
        // Picking up the phone is accepting the offer.
        return commands.Send(new AcceptOffer { Centre = centre, AgentId = agent, ContactId = call.ContactId }, ct);
    }

    private Task Declined(SipEvent e, CancellationToken ct) => BackToQueue(e, ct, unreachable: false);

    private Task Unreachable(SipEvent e, CancellationToken ct) => BackToQueue(e, ct, unreachable: true);

    /// <summary>The phone said no (busy, declined) or is not registered: the caller is parked again and keeps their place.</summary>
    private async Task BackToQueue(SipEvent e, CancellationToken ct, bool unreachable)
    {
        PhoneFree(e.Agent, e.CallId);
        if (!_byCallId.TryGetValue(e.CallId, out var call)) return;
        string agent, centre;
        lock (call)
        {
            if (call.State != CallState.Ringing || call.AgentId is null) return;
            (agent, centre) = (call.AgentId, call.Centre);
            var takenBack = call.Stopping;
            ParkedAgain(call);
            // The router took the offer back already: the phone's no is no news to it.
            if (takenBack) return;
        }
        await commands.Send(new RejectOffer { Centre = centre, AgentId = agent, ContactId = call.ContactId }, ct);
        if (unreachable) await PhonePresence(agent, registered: false, ct);
    }

    private Task Cancelled(SipEvent e, CancellationToken ct)
    {
        // An agent hanging up their own outbound call before the customer answered: Kamailio reports it "notreached".
        if (!_byCallId.TryGetValue(e.CallId, out var call) || call.Outbound) return Task.CompletedTask;
        string centre;
        lock (call)
        {
            if (call.State is CallState.Connected or CallState.Ended) return Task.CompletedTask;
            // A phone it waited for is not rung; one that rings is cancelled by Kamailio, and freed by its "ended".
            if (call.WaitingForPhone) ParkWithoutRinging(call);
            call.State = CallState.Ended;
            centre = call.Centre;
        }
        Forget(call);
        log.LogInformation("Call {Contact} hung up before it was answered", call.ContactId);
        // Kamailio has answered the caller (487) and cancelled a ringing phone; the router hears the caller is gone.
        return commands.Send(new AbandonContact { CommandId = Call.CommandIdFor(call.CallId, "abandon"), Centre = centre, ContactId = call.ContactId }, ct);
    }

    /// <summary>Kamailio had no branch left to park the caller again: the caller is gone, and so is the phone's branch.</summary>
    private Task Dropped(SipEvent e, CancellationToken ct)
    {
        PhoneFree(e.Agent, e.CallId);
        return Cancelled(e, ct);
    }

    /// <summary>The branch to a phone that rang for a caller who hung up has its final answer: the phone is free.</summary>
    private Task BranchEnded(SipEvent e)
    {
        PhoneFree(e.Agent, e.CallId);
        return Task.CompletedTask;
    }

    /// <summary>
    /// A connected call ended. The contact stays connected in the router: the agent completes it with an outcome and a
    /// summary in the console, as after any call.
    /// </summary>
    private Task HungUp(SipEvent e)
    {
        if (!_byCallId.TryGetValue(e.CallId, out var call)) return Task.CompletedTask;
        lock (call) call.State = CallState.Ended;
        Forget(call);
        log.LogInformation("Call {Contact} ended", call.ContactId);
        return Task.CompletedTask;
    }

    private Task Registration(SipEvent e, CancellationToken ct) =>
        string.IsNullOrEmpty(e.Aor) ? Task.CompletedTask : PhonePresence(e.Aor, e.Contacts > 0, ct);

    /// <summary>A phone that is not registered cannot ring: its agent is offered nothing until it registers again.</summary>
    private async Task PhonePresence(string agentId, bool registered, CancellationToken ct)
    {
        if (_phones.TryGetValue(agentId, out var known) && known == registered) return;
        // Only this router's agents: other routers on the same Kamailio have their own.
        if (await commands.HomeCentreOf(agentId, ct) is not { } home) return;
        _phones[agentId] = registered;
        log.LogInformation("Phone of agent {Agent} {State}", AccessLog.Clip(agentId, 64), registered ? "registered" : "not registered");
        await commands.Send(new SetAgentReachable { Centre = home, AgentId = agentId, Reachable = registered }, ct);
    }

    private Task Unknown(SipEvent e)
    {
        log.LogWarning("Unknown event from Kamailio: {Event}", AccessLog.Clip(e.Event, 40));
        return Task.CompletedTask;
    }

    private void Forget(Call call)
    {
        _byCallId.TryRemove(call.CallId, out _);
        _byContact.TryRemove(call.ContactId, out _);
    }
}
