/**
 * Auth.js (`@auth/core`) with its Cognito provider as a Worker: the peer of the demo Worker in the
 * cold-start bench. The first request asks for the session without a cookie, as the demo's does.
 */
import { Auth } from "@auth/core";
import Cognito from "@auth/core/providers/cognito";

interface Env {
  COGNITO_CLIENT_ID: string;
  WARRANT_SECRET: string;
}

export default {
  fetch: (request: Request, env: Env): Promise<Response> =>
    Auth(request, {
      basePath: "/auth",
      trustHost: true,
      secret: env.WARRANT_SECRET,
      providers: [
        Cognito({
          clientId: env.COGNITO_CLIENT_ID,
          clientSecret: "bench",
          issuer: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Cold0001",
        }),
      ],
    }),
};
