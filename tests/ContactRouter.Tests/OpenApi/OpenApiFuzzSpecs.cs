using System.Globalization;
using ContactRouter.Tests.SignIn;
using Xunit.Abstractions;

namespace ContactRouter.Tests.OpenApi;

/// <summary>
/// Malformed requests generated from the host's own OpenAPI document, on every operation: each required field left out
/// or null, wrong JSON types, strings over maxLength, numbers and dates out of range, values outside an enum or pattern,
/// control characters, broken JSON, wrong content types, oversized bodies, route values, query parameters and headers
/// that break their schema; and on every path the methods it does not have, every endpoint the document leaves out, no
/// or forged credentials. Each is sent by someone the operation's policy lets in (so it reaches validation) unless it is
/// about the credentials. None may answer 5xx or a status the document does not list, every 4xx is a problem answer,
/// and none changes the store's business tables. Then values the document allows but that are odd (other scripts,
/// injection-like text, case, bounds): no 5xx for those either.
/// </summary>
public sealed class When_malformed_requests_are_made_from_the_document(ITestOutputHelper output) : RouterSpec
{
    private const int Seed = 20_261_123;
    private const int AtLeast = 1_000;

    [Fact]
    public async Task Should_refuse_every_one_without_a_5xx_and_change_nothing()
    {
        var world = await EndpointWorld.Arrange(_router, _http);
        var api = await ApiOperations.Read(_router);
        var unknown = api.All.Select(o => (o.Anonymous, o.Policy, Name: o.ToString()))
            .Concat(api.Undescribed.Select(e => (e.Anonymous, e.Policy, Name: $"{e.Method} {e.Path}")))
            .Where(o => !o.Anonymous && !ApiCallers.IsKnown(o.Policy)).Select(o => $"{o.Name}: {o.Policy}").ToList();
        unknown.Should().BeEmpty("every endpoint's policy has a row in EndpointWorld's table (RoleMatrixSpecs names the endpoint without one)");

        var callers = new ApiCallers(_router);
        var maker = new RequestMaker(world, _router.Time.GetUtcNow(), api.All);
        var random = new Random(Seed);
        var requests = api.All.SelectMany(o => maker.Malformed(o, random))
            .Concat(api.All.Select(o => o.Path).Distinct().SelectMany(maker.OtherMethods))
            .Concat(api.Undescribed.SelectMany(e => maker.Malformed(e, random)))
            .ToList();
        // Headers that mean nothing to the API, now and then: they must not make a refused request pass.
        foreach (var request in requests.Where(_ => random.Next(5) == 0))
            request.Headers.Add(RequestMaker.OddHeaders[random.Next(RequestMaker.OddHeaders.Length)]);

        await callers.SignInEveryone();
        var before = await StoreSnapshot.Settled(_router);
        var (histogram, untrue, answers) = await SendAll(callers, requests, random);
        var after = await StoreSnapshot.Settled(_router);
        var changed = before.ChangedRows(after);

        var sent = histogram.Values.Sum();
        var fiveHundreds = histogram.Where(h => h.Key >= 500).Sum(h => h.Value);
        // Refused means 4xx, or for a page's path without a session the way to the sign-in page.
        var taken = answers.Where(a => a.Request.Operation is not null && a.Answer.Status < 400 && !(a.Answer.Status == 302 && !a.Request.Path.StartsWith("/api", StringComparison.Ordinal)))
            .Select(a => $"{a.Request} as {a.Answer.Who} → {a.Answer.Status}").ToList();
        foreach (var line in untrue.Concat(taken).Concat(changed).Take(60)) output.WriteLine(line);
        Figures.Print(output, "Fuzz from the OpenAPI document",
            $"{sent.ToString("N0", CultureInfo.InvariantCulture)} malformed requests on {api.All.Count} operations and {api.Undescribed.Count} undescribed endpoints — " +
            string.Join(", ", histogram.Select(h => $"{h.Key}: {h.Value.ToString("N0", CultureInfo.InvariantCulture)}")) +
            $"; 5xx: {fiveHundreds}; untrue answers: {untrue.Count}; changed rows: {changed.Count} of {before.Rows} in {before.Tables.Count} tables");

        untrue.Should().BeEmpty("no malformed request answers 5xx or a status its operation does not list, and every 4xx of the API is a problem answer naming a 400's field");
        taken.Should().BeEmpty("every malformed request of an operation is refused");
        changed.Should().BeEmpty("a refused request changes nothing in the store");
        sent.Should().BeGreaterThanOrEqualTo(AtLeast);
        // Every operation and every field of every body was tried, and the mix reached every refusal it is meant to provoke:
        // a generator that silently sent only valid (or only anonymous) requests would pass the checks above.
        foreach (var operation in api.All)
        {
            // An operation that takes nothing and lets anyone in (GET /api/me) has only its body's size to get wrong.
            requests.Count(r => r.Operation == operation).Should().BeGreaterThanOrEqualTo(operation.Anonymous && operation.Parameters.Count == 0 && operation.Body is null ? 1 : 3, $"{operation} is tried");
            foreach (var field in operation.Body?.Properties.Keys ?? [])
                requests.Count(r => r.Operation == operation && r.Kind.EndsWith(" in " + field, StringComparison.Ordinal))
                    .Should().BeGreaterThanOrEqualTo(3, $"{operation}'s field {field} is tried");
        }
        histogram.Keys.Should().Contain([400, 401, 403, 404, 405, 413, 415]);

        // Values the document allows, but odd: no 5xx, only listed answers (these may change the store).
        var odd = api.All.SelectMany(maker.OddButAllowed).ToList();
        var (oddHistogram, oddUntrue, _) = await SendAll(callers, odd, random);
        foreach (var line in oddUntrue.Take(30)) output.WriteLine(line);
        Figures.Print(output, "Odd values the document allows", $"{oddHistogram.Values.Sum()} requests — " +
                                                               string.Join(", ", oddHistogram.Select(h => $"{h.Key}: {h.Value}")) +
                                                               $"; 5xx: {oddHistogram.Where(h => h.Key >= 500).Sum(h => h.Value)}; untrue answers: {oddUntrue.Count}");
        oddUntrue.Should().BeEmpty();
        oddHistogram.Keys.Should().Contain(s => s >= 200 && s < 300, "odd values the document allows are taken");
    }

    private static async Task<(SortedDictionary<int, int> Histogram, List<string> Untrue, List<(ApiRequest Request, Answer Answer)> Answers)> SendAll(
        ApiCallers callers, IEnumerable<ApiRequest> requests, Random random)
    {
        var histogram = new SortedDictionary<int, int>();
        var untrue = new List<string>();
        var answers = new List<(ApiRequest, Answer)>();
        foreach (var request in requests)
        {
            var answer = await callers.Send(request, random);
            answers.Add((request, answer));
            histogram[answer.Status] = histogram.GetValueOrDefault(answer.Status) + 1;
            if (ApiCallers.Untrue(request, answer) is { } lie) untrue.Add(lie);
        }
        return (histogram, untrue, answers);
    }
}
