using System.Globalization;
using ContactRouter.Tests.SignIn;
using Xunit.Abstractions;

namespace ContactRouter.Tests.OpenApi;

/// <summary>
/// Issue 10's "every answer is true" for the contract: the host reads its own /openapi/v1.json, and its answers are held
/// against it. Every value it takes has a declared limit; every status it answers is one the document lists for that
/// operation; a body without one required field is refused naming that field, and one without an optional field is not
/// refused for it.
/// </summary>
public sealed class When_the_api_is_held_against_its_own_document(ITestOutputHelper output) : RouterSpec
{
    private const int Seed = 20_261_202;

    [Fact]
    public async Task Should_declare_a_limit_for_every_value_and_the_refusals_of_the_pipeline()
    {
        var api = await ApiOperations.Read(_router);
        var missing = new List<string>();
        var values = 0;
        foreach (var operation in api.All)
        {
            if (!operation.Statuses.Any(s => s is >= 200 and < 400)) missing.Add($"{operation}: no success answer");
            // A body declared over the limit is refused before anything else, whatever the operation.
            if (!operation.Statuses.Contains(413)) missing.Add($"{operation}: 413");
            if (!operation.Anonymous && !(operation.Statuses.Contains(401) && operation.Statuses.Contains(403))) missing.Add($"{operation}: 401 and 403");
            if (operation.Body is { } body)
            {
                foreach (var status in new[] { 400, 415 })
                    if (!operation.Statuses.Contains(status)) missing.Add($"{operation}: {status} (it takes a body)");
                foreach (var name in body.Required)
                    if (!body.Properties.TryGetValue(name, out var field)) missing.Add($"{operation}: required {name} is no field");
                    else if (field.Is("null")) missing.Add($"{operation}: required {name} may be null");
                foreach (var (name, field) in body.Properties)
                {
                    values++;
                    missing.AddRange(Unbounded(field).Select(what => $"{operation} body {name}: {what}"));
                }
            }
            foreach (var parameter in operation.Parameters)
            {
                values++;
                if (parameter.In == "path" && !parameter.Required) missing.Add($"{operation} {parameter.Name}: a route value is required");
                missing.AddRange(Unbounded(parameter.Schema).Select(what => $"{operation} {parameter.In} {parameter.Name}: {what}"));
            }
        }
        Figures.Print(output, "OpenAPI document", $"{api.All.Count} operations, {values} values taken (body fields and parameters), " +
                                                  $"{missing.Count} without a declared limit or refusal");
        missing.Should().BeEmpty("every value has a length or a range, and every operation lists the refusals the pipeline gives");
    }

    /// <summary>What the schema leaves unbounded: a string's length, a number's or date's range, a list's or map's size.</summary>
    private static IEnumerable<string> Unbounded(Schema s)
    {
        // A number the framework also reads from a string ("3") is a number here.
        if (s.Is("string") && !s.Is("integer") && s.MaxLength is null && s.Enum is null && s.Format is not ("date" or "date-time")) yield return "a string without maxLength";
        if (s.Format is "date" or "date-time" && (s.FormatMinimum is null || s.FormatMaximum is null)) yield return "a date without its range";
        if (s.Is("integer") && s.Enum is null && (s.Minimum is null || s.Maximum is null)) yield return "a number without minimum and maximum";
        if (s.Is("array"))
        {
            if (s.MaxItems is null) yield return "a list without maxItems";
            if (s.Items is { } items) foreach (var what in Unbounded(items)) yield return "its items: " + what;
        }
        if (s.Is("object") && s.Values is { } values)
        {
            if (s.MaxProperties is null) yield return "a map without maxProperties";
            foreach (var what in Unbounded(values)) yield return "its values: " + what;
            if (s.Keys is not { } keys) yield return "a map without propertyNames";
            else foreach (var what in Unbounded(keys)) yield return "its keys: " + what;
        }
    }

    [Fact]
    public async Task Should_answer_only_what_it_lists_and_refuse_exactly_a_missing_required_field()
    {
        var world = await EndpointWorld.Arrange(_router, _http);
        var api = await ApiOperations.Read(_router);
        var callers = new ApiCallers(_router);
        var maker = new RequestMaker(world, _router.Time.GetUtcNow(), api.All);
        var random = new Random(Seed);
        var untrue = new List<string>();
        var wrong = new List<string>();
        var histogram = new SortedDictionary<int, int>();
        var counts = new SortedDictionary<string, int>();
        var fine = new List<(string Request, int Status)>();

        async Task<Answer> Try(string group, ApiRequest request)
        {
            var answer = await callers.Send(request, random);
            counts[group] = counts.GetValueOrDefault(group) + 1;
            histogram[answer.Status] = histogram.GetValueOrDefault(answer.Status) + 1;
            if (ApiCallers.Untrue(request, answer) is { } lie) untrue.Add(lie);
            return answer;
        }

        // Reads first, then changes, removals, and signing out last: a change must not take away what a later one needs.
        foreach (var operation in api.All.OrderBy(Phase).ThenBy(o => o.Path, StringComparer.Ordinal))
        {
            if (operation.Body is { } body)
            {
                foreach (var name in body.Required)
                {
                    var request = maker.Fine(operation, "without required " + name);
                    request.Content = RequestMaker.Json(maker.BodyWith(operation, name, raw: null));
                    var answer = await Try("a required field left out", request);
                    if (answer.Status != 400 || (string?)answer.Problem?["field"] != name)
                        wrong.Add($"{operation} without required {name}: {answer.Status} naming {(string?)answer.Problem?["field"] ?? "nothing"}, not 400 naming {name}");
                }
            }

            // A few bad ones, refused by the pipeline and by the endpoint (the fuzz sends all kinds, and checks the same).
            foreach (var request in maker.Malformed(operation, random).Where(r => Sampled.Any(r.Kind.StartsWith)).DistinctBy(r => Sampled.First(r.Kind.StartsWith)))
                await Try("bad", request);

            if (operation.Body is { } withOptional)
            {
                var fineBody = maker.FineBody(operation);
                foreach (var name in withOptional.Properties.Keys.Except(withOptional.Required).Where(fineBody.ContainsKey))
                {
                    var request = maker.Fine(operation, "without optional " + name);
                    request.Content = RequestMaker.Json(maker.BodyWith(operation, name, raw: null));
                    var answer = await Try("an optional field left out", request);
                    if (answer.Status == 400 && (string?)answer.Problem?["field"] == name)
                        wrong.Add($"{operation} without optional {name}: refused for it: {answer.Text}");
                }
            }

            var valid = await Try("fine", maker.Fine(operation));
            fine.Add(($"{operation} as {valid.Who}", valid.Status));
            if (valid.Status == 400) wrong.Add($"{operation}: a fine request refused as bad: {valid.Text}");
        }

        output.WriteLine("Fine requests: " + string.Join("; ", fine.Select(f => $"{f.Request}: {f.Status}")));
        foreach (var line in untrue.Concat(wrong).Take(60)) output.WriteLine(line);
        Figures.Print(output, "OpenAPI truth", $"{histogram.Values.Sum().ToString("N0", CultureInfo.InvariantCulture)} requests on {api.All.Count} operations (" +
                                               string.Join(", ", counts.Select(c => $"{c.Key}: {c.Value}")) + ") — " +
                                               string.Join(", ", histogram.Select(h => $"{h.Key}: {h.Value}")) +
                                               $"; answers the document does not list or that are not problem answers: {untrue.Count}; required/optional wrong: {wrong.Count}");

        untrue.Should().BeEmpty("every answer is one the document lists for its operation, every 4xx a problem answer and every 400 names its field");
        wrong.Should().BeEmpty("a required field left out is refused naming it, an optional one is not, and a fine request is not refused as bad");
        // The requests reached their operations: a world where everything answered 401 or 404 would pass the checks above.
        fine.Count(f => f.Status is >= 200 and < 300).Should().BeGreaterThanOrEqualTo(api.All.Count * 3 / 4,
            "fine requests succeed, but for the few the world's state refuses: " + string.Join("; ", fine.Select(f => $"{f.Request}: {f.Status}")));
        counts.GetValueOrDefault("a required field left out").Should().BeGreaterThan(0);
        counts.GetValueOrDefault("an optional field left out").Should().BeGreaterThan(0);
    }

    private static readonly string[] Sampled = ["credentials the policy keeps out", "wrong content type", "a string over maxLength"];

    private static int Phase(Operation o) => o.Method switch
    {
        "GET" => 0,
        "DELETE" when o.Path == "/api/session" => 3,
        "DELETE" => 2,
        _ => 1,
    };
}
