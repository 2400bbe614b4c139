namespace Sensing.Feed.Endpoints;

/// <summary>The feed's problem+json answers (RFC 9457): a title, a detail, and the field at fault where there is one.</summary>
internal static class FeedProblems
{
    public static IResult BadRequest(FeedRequestException e) => Results.Problem(e.Message, statusCode: StatusCodes.Status400BadRequest,
        title: "Bad request", extensions: new Dictionary<string, object?> { ["field"] = e.Field });

    public static IResult NotFound(string detail) => Results.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: "Not found");

    public static IResult Conflict(string detail) => Results.Problem(detail, statusCode: StatusCodes.Status409Conflict, title: "Conflict");

    public static IResult Unavailable(string detail) => Results.Problem(detail, statusCode: StatusCodes.Status503ServiceUnavailable, title: "Kafka unavailable");
}
