using System.Net;
using System.Text.Json.Nodes;

namespace ContactRouter.Tests;

public static class ProblemShape
{
    /// <summary>Status, RFC 9457 media type, and the offending field both as <c>field</c> and under <c>errors</c>.</summary>
    public static async Task<JsonNode> ShouldBeProblem(this HttpResponseMessage response, HttpStatusCode status, string field)
    {
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(status, text);
        response.Content.Headers.ContentType?.MediaType.Should().Be("application/problem+json", text);
        var problem = JsonNode.Parse(text)!;
        problem["status"]!.GetValue<int>().Should().Be((int)status, text);
        problem["title"].Should().NotBeNull(text);
        ((string?)problem["field"]).Should().Be(field, text);
        var errors = problem["errors"]?[field];
        errors.Should().NotBeNull(text);
        errors!.AsArray().Should().NotBeEmpty(text);
        return problem;
    }
}
