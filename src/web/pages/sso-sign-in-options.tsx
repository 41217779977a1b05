/**
 * The single sign-on parts of the sign-in page: the `?sso_error=` message, "Your organisation
 * signs in with …" for an email whose domain belongs to a provider, and a "Sign in with …" button
 * per enabled provider. Signing in with a provider is a full-page navigation to its start URL.
 */
import { Alert, Button, Divider, Stack, Text } from '@mantine/core';
import { useDebouncedCallback } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { SSO_ERROR_MESSAGES, type SsoErrorCode } from '../../shared/schemas/identity-providers.js';
import {
  discoverSsoProvider,
  listSsoProviders,
  ssoStartHref,
  type SsoProviderButton,
} from '../api/identity-providers.js';
import { queryKeys } from '../api/query-keys.js';

/** The message for a failed SSO sign-in; an unknown code gets the generic one. */
export function ssoErrorMessage(code: string): string {
  return Object.hasOwn(SSO_ERROR_MESSAGES, code) ? SSO_ERROR_MESSAGES[code as SsoErrorCode] : SSO_ERROR_MESSAGES.failed;
}

export function SsoErrorAlert({ code }: { code: string }) {
  return (
    <Alert color="red" role="alert" title="Single sign-on failed">
      {ssoErrorMessage(code)}
    </Alert>
  );
}

/** The domain of something that looks like a whole email address, lower-case; null otherwise. */
function domainOf(email: string): string | null {
  const match = /^[^@\s]+@([^@\s]+\.[^@\s]+)$/.exec(email.trim());
  return match?.[1] ? match[1].toLowerCase() : null;
}

/**
 * Which provider signs in the typed email's domain: asked a moment after typing stops, or at once
 * when the field loses focus. Returns the provider (or null) and the handlers for the field.
 */
export function useSsoDiscovery(initialEmail: string) {
  const [lookedUp, setLookedUp] = useState(initialEmail.trim());
  const lookUpSoon = useDebouncedCallback((email: string) => setLookedUp(email.trim()), 400);
  const domain = domainOf(lookedUp);
  const query = useQuery({
    // Keyed by domain: the answer depends on nothing else, so retyping the name part asks nothing.
    queryKey: queryKeys.ssoDiscover(domain ?? ''),
    queryFn: ({ signal }) => discoverSsoProvider(lookedUp, signal),
    enabled: domain !== null,
    staleTime: 60_000,
    retry: false,
  });
  return {
    provider: domain !== null ? (query.data ?? null) : null,
    onEmailChange: (email: string) => lookUpSoon(email),
    onEmailBlur: (email: string) => {
      lookUpSoon.cancel();
      setLookedUp(email.trim());
    },
  };
}

/** "Your organisation signs in with X" and the primary way there. */
export function SsoDomainSuggestion({ provider, returnTo }: { provider: SsoProviderButton; returnTo: string }) {
  return (
    <Alert color="blue" role="status" title={`Your organisation signs in with ${provider.name}`}>
      <Stack gap="xs">
        <Text size="sm">You can still use a Latchkey password below if your account has one.</Text>
        <Button component="a" href={ssoStartHref(provider, returnTo)} fullWidth>
          Continue with {provider.name}
        </Button>
      </Stack>
    </Alert>
  );
}

/** One "Sign in with X" button per enabled provider; nothing when there are none. */
export function SsoProviderButtons({ returnTo }: { returnTo: string }) {
  const providers = useQuery({
    queryKey: queryKeys.ssoProviders,
    queryFn: ({ signal }) => listSsoProviders(signal),
    staleTime: 60_000,
    retry: false,
  });
  // The password form works without them: a failed list is simply not shown.
  if (!providers.data || providers.data.length === 0) return null;
  return (
    <Stack gap="sm" mt="lg">
      <Divider label="or" labelPosition="center" />
      {providers.data.map((provider) => (
        <Button key={provider.id} component="a" href={ssoStartHref(provider, returnTo)} variant="default" fullWidth>
          Sign in with {provider.name}
        </Button>
      ))}
    </Stack>
  );
}
