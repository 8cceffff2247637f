using ContactRouter.Routing;
using ContactRouter.Store;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ContactRouter.Web;

/// <summary>The answers several resources give in the same words: one place for each.</summary>
public static class Answers
{
    public static ProblemHttpResult UnknownCentre(string field, string centre) =>
        Problems.Invalid(field, $"Unknown centre '{AccessLog.Clip(centre, 40)}'; known centres are {string.Join(", ", CentreCatalog.All)}.");

    public static ProblemHttpResult UnknownContact(string contactId) => Problems.NotFound("contactId", $"No contact {AccessLog.Clip(contactId, 64)}.");

    public static ProblemHttpResult UnknownAgent(string agentId) =>
        Problems.NotFound("agentId", $"No agent {AccessLog.Clip(agentId, 64)}; an administrator registers it with PUT /api/agents/{{agentId}}.");

    public static ProblemHttpResult NotYourAgent(string agentId) =>
        Problems.Forbidden("agentId", $"You act only for your own agent, not for {AccessLog.Clip(agentId, 64)}.", "not-your-agent");

    public static ProblemHttpResult NotYourContact(string contactId) =>
        Problems.Forbidden("contactId", $"Contact {AccessLog.Clip(contactId, 64)} is not yours.", "not-your-contact");

    public static ProblemHttpResult InvalidPhone(string field, string? phone) =>
        Problems.Invalid(field, $"'{AccessLog.Clip(phone, 40)}' is not a phone number (E.164, e.g. +31612345678).");
}
