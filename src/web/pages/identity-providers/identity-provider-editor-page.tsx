import { RefusableButton } from '../../components/refusable-button.js';
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Center,
  Checkbox,
  Fieldset,
  FileInput,
  Group,
  Loader,
  PasswordInput,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  TagsInput,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import {
  SSO_PROTOCOL_LABELS,
  SSO_PROTOCOLS,
  type IdentityProvider,
  type SsoProtocolName,
} from '../../../shared/schemas/identity-providers.js';
import { ApiError, messageOf } from '../../api/client.js';
import {
  createIdentityProvider,
  getIdentityProvider,
  readSamlMetadata,
  testIdentityProvider,
  updateIdentityProvider,
  type SamlMetadataFields,
} from '../../api/identity-providers.js';
import { queryKeys } from '../../api/query-keys.js';
import { listSecurityGroups } from '../../api/security-groups.js';
import { can } from '../../auth/abilities.js';
import { useSignedInMe } from '../../auth/use-me.js';
import { ErrorState } from '../../components/error-state.js';
import { NoPermissionPage, NoticePage } from '../../components/notice-page.js';
import { UnsavedChangesGuard } from '../../components/unsaved-changes-guard.js';
import { CertificateExpiry } from './certificate-expiry.js';
import { ConnectionTestResult } from './connection-test-panel.js';
import { GroupMappingEditor } from './group-mapping-editor.js';
import {
  CONFIGURE_SSO,
  IDENTITY_PROVIDERS_PATH,
  NO_SSO_PERMISSION_MESSAGE,
  StatusBadge,
} from './identity-providers-page.js';
import { removeRefusal, RemoveProviderDialog, ToggleProviderDialog } from './provider-dialogs.js';
import {
  checkBody,
  createBody,
  initialProviderValues,
  isDirty,
  normaliseDomain,
  updateBody,
  type ProviderValues,
} from './provider-form-values.js';
import { ServiceProviderUrls } from './service-provider-urls.js';

/** Field names the form shows messages under; any other message goes above the buttons. */
const SHOWN_FIELD =
  /^(name|enabled|defaultGroupId|emailDomains(\.\d+)?|allowEmailLinking|groupMappings(\.\d+\.(idpGroup|securityGroupId))?|oidc\.(issuer|clientId|clientSecret|scopes|groupsClaim)|saml\.(entityId|ssoUrl|logoutUrl|certificate|groupsAttribute))$/;

const monospace = { input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 12 } };

const protocolOf = (value: string | null): SsoProtocolName =>
  (SSO_PROTOCOLS as readonly string[]).includes(value ?? '') ? (value as SsoProtocolName) : 'oidc';

/**
 * Add an identity provider (/identity-providers/new?protocol=oidc|saml) or change one
 * (/identity-providers/<id>): a page of its own, since the settings do not fit a dialog on a laptop.
 */
export function IdentityProviderEditorPage() {
  const { id = 'new' } = useParams();
  const [searchParams] = useSearchParams();
  const me = useSignedInMe();
  const isNew = id === 'new';
  const allowed = can(me, CONFIGURE_SSO);
  const provider = useQuery({
    queryKey: queryKeys.identityProvider(id),
    queryFn: ({ signal }) => getIdentityProvider(id, signal),
    enabled: !isNew && allowed,
  });
  const groups = useQuery({
    queryKey: queryKeys.securityGroups,
    queryFn: ({ signal }) => listSecurityGroups(signal),
    enabled: allowed,
  });
  useDocumentTitle(
    isNew ? 'Add Identity Provider · Latchkey' : `${provider.data?.name ?? 'Identity Provider'} · Latchkey`,
  );

  if (!allowed) return <NoPermissionPage myAccountPath={`/users/${me.user.id}`} message={NO_SSO_PERMISSION_MESSAGE} />;
  if ((!isNew && provider.isPending) || groups.isPending) {
    return (
      <Center py="xl">
        <Loader aria-label="Loading the identity provider" />
      </Center>
    );
  }
  if (provider.isError) {
    if (provider.error instanceof ApiError && provider.error.status === 404) {
      return (
        <NoticePage
          title="Identity provider not found"
          linkTo={IDENTITY_PROVIDERS_PATH}
          linkLabel="Go to Identity Providers"
        >
          There is no identity provider with this ID. It may have been removed.
        </NoticePage>
      );
    }
    return <ErrorState error={provider.error} onRetry={() => void provider.refetch()} />;
  }
  if (groups.isError) return <ErrorState error={groups.error} onRetry={() => void groups.refetch()} />;

  const groupOptions = groups.data.map((group) => ({ value: group.id, label: group.name }));
  const saved = provider.data ?? null;
  return (
    <ProviderForm
      // A fresh form for each saved version, so what was saved becomes the new starting point.
      key={saved ? `${saved.id}:${saved.updatedAt}` : 'new'}
      provider={saved}
      initialProtocol={protocolOf(searchParams.get('protocol'))}
      groupOptions={groupOptions}
    />
  );
}

function ProviderForm({
  provider,
  initialProtocol,
  groupOptions,
}: {
  provider: IdentityProvider | null;
  initialProtocol: SsoProtocolName;
  groupOptions: { value: string; label: string }[];
}) {
  const me = useSignedInMe();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [initial] = useState(() => initialProviderValues(provider, initialProtocol));
  const [values, setValues] = useState<ProviderValues>(initial);
  const [errors, setErrors] = useState<Record<string, string | undefined>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [createdId, setCreatedId] = useState<string | null>(null);
  const [fromMetadata, setFromMetadata] = useState<SamlMetadataFields | null>(null);
  const [metadataFile, setMetadataFile] = useState<File | null>(null);
  const [toggling, setToggling] = useState<IdentityProvider | null>(null);
  const [removing, setRemoving] = useState<IdentityProvider | null>(null);
  const formRef = useRef<HTMLFormElement>(null);
  const isNew = provider === null;
  const dirty = isDirty(initial, values);
  const protocol = values.protocol;

  // Go to the new provider's page only once the guard knows the changes are saved.
  useEffect(() => {
    if (createdId) void navigate(`${IDENTITY_PROVIDERS_PATH}/${encodeURIComponent(createdId)}`, { replace: true });
  }, [createdId, navigate]);

  function showError(error: unknown) {
    const fields: Record<string, string> = {};
    const leftOver: string[] = [];
    if (error instanceof ApiError) {
      for (const [name, message] of Object.entries(error.fields)) {
        if (SHOWN_FIELD.test(name)) fields[name.replace(/^emailDomains\.\d+$/, 'emailDomains')] ??= message;
        else leftOver.push(message);
      }
    }
    setErrors(fields);
    const hasFieldMessages = Object.keys(fields).length > 0;
    setFormError(leftOver.length > 0 ? leftOver.join(' ') : hasFieldMessages ? null : messageOf(error));
    // The form is long: take the person to the first message (once React has shown it).
    requestAnimationFrame(() =>
      formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"], [role="alert"]')?.focus(),
    );
  }

  const save = useMutation({
    mutationFn: () =>
      provider
        ? updateIdentityProvider(provider.id, updateBody(initial, values))
        : createIdentityProvider(createBody(values)),
    onSuccess: (result) => {
      notifications.show({
        color: 'green',
        message: provider ? `Identity provider “${result.name}” saved` : `Identity provider “${result.name}” added`,
      });
      void queryClient.invalidateQueries({ queryKey: queryKeys.identityProviders });
      queryClient.setQueryData(queryKeys.identityProvider(result.id), result);
      if (!provider) setCreatedId(result.id);
    },
    onError: showError,
  });

  const test = useMutation({ mutationFn: (id: string) => testIdentityProvider(id) });

  const metadata = useMutation({
    mutationFn: async (file: File) => readSamlMetadata(await file.text()),
    onSuccess: (fields) => {
      setValues((current) => ({
        ...current,
        saml: {
          ...current.saml,
          entityId: fields.entityId,
          ssoUrl: fields.ssoUrl,
          logoutUrl: fields.logoutUrl,
          certificate: fields.certificate,
        },
      }));
      setFromMetadata(fields);
      setErrors((current) => ({
        ...current,
        'saml.entityId': undefined,
        'saml.ssoUrl': undefined,
        'saml.logoutUrl': undefined,
        'saml.certificate': undefined,
      }));
      notifications.show({ color: 'green', message: 'Filled from metadata' });
    },
  });

  function set<K extends keyof ProviderValues>(name: K, value: ProviderValues[K]) {
    setValues((current) => ({ ...current, [name]: value }));
    setErrors((current) => ({ ...current, [name]: undefined }));
  }
  function setOidc(name: keyof ProviderValues['oidc'], value: string) {
    setValues((current) => ({ ...current, oidc: { ...current.oidc, [name]: value } }));
    setErrors((current) => ({ ...current, [`oidc.${name}`]: undefined }));
  }
  function setSaml(name: keyof ProviderValues['saml'], value: string) {
    setValues((current) => ({ ...current, saml: { ...current.saml, [name]: value } }));
    setErrors((current) => ({ ...current, [`saml.${name}`]: undefined }));
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    setFormError(null);
    const body = provider ? updateBody(initial, values) : createBody(values);
    if (provider && Object.keys(body).length === 0) {
      notifications.show({ color: 'blue', message: 'Nothing has changed, so there is nothing to save.' });
      return;
    }
    // The shared contract's own messages, before asking the server (which checks the same again).
    const problems = checkBody(body, !provider);
    if (Object.keys(problems).length > 0) {
      showError(new ApiError(400, 'validation_failed', 'Check the highlighted fields.', problems));
      return;
    }
    setErrors({});
    save.mutate();
  }

  const sp = provider?.serviceProvider;
  const origin = window.location.origin;
  const title = provider ? `Edit ${provider.name}` : 'Add Identity Provider';
  const refusal = provider ? removeRefusal(provider) : null;
  const groupsSource = protocol === 'oidc' ? 'the groups claim' : 'the groups attribute';

  return (
    <form ref={formRef} onSubmit={submit} noValidate aria-label={provider ? provider.name : 'Add Identity Provider'}>
      <UnsavedChangesGuard when={dirty && !createdId && !save.isPending} />
      <Stack gap="md" maw={980}>
        <Anchor component={Link} to={IDENTITY_PROVIDERS_PATH} size="sm">
          ← Identity Providers
        </Anchor>
        <Group justify="space-between" align="center">
          <Group gap="sm" align="center">
            <Title order={1} size="h2">
              {title}
            </Title>
            {provider && (
              <>
                <Badge variant="light" color="blue" radius="sm" tt="none">
                  {SSO_PROTOCOL_LABELS[provider.protocol]}
                </Badge>
                <StatusBadge enabled={provider.enabled} />
                <Text size="sm" c="dimmed">
                  {provider.accountCount} {provider.accountCount === 1 ? 'account' : 'accounts'}
                </Text>
              </>
            )}
          </Group>
          {provider && (
            <Group gap="sm">
              <Button variant="default" onClick={() => test.mutate(provider.id)} loading={test.isPending}>
                Test connection
              </Button>
              <Button variant="default" onClick={() => setToggling(provider)}>
                {provider.enabled ? 'Disable' : 'Enable'}
              </Button>
              <RefusableButton refusal={refusal} onClick={() => setRemoving(provider)}>
                Remove
              </RefusableButton>
            </Group>
          )}
        </Group>
        {refusal && (
          <Text size="sm" c="dimmed">
            It cannot be removed: {refusal.charAt(0).toLowerCase() + refusal.slice(1)}
          </Text>
        )}
        {test.isSuccess && <ConnectionTestResult result={test.data} />}
        {test.isError && (
          <Alert color="red" role="alert" title="The connection could not be tested">
            {messageOf(test.error)}
          </Alert>
        )}
        {provider && dirty && test.isSuccess && (
          <Text size="sm" c="dimmed">
            The test used the saved settings, not the changes on this page.
          </Text>
        )}

        {isNew && (
          <Fieldset legend="Protocol" radius="md">
            <Stack gap="xs">
              <SegmentedControl
                aria-label="Protocol"
                value={protocol}
                onChange={(value) => set('protocol', protocolOf(value))}
                data={SSO_PROTOCOLS.map((value) => ({ value, label: SSO_PROTOCOL_LABELS[value] }))}
                maw={420}
              />
              <Text size="sm" c="dimmed">
                {protocol === 'oidc'
                  ? 'OpenID Connect: Okta, Microsoft Entra ID, Google Workspace, Keycloak and most modern providers.'
                  : 'SAML 2.0: for providers (such as ADFS) that offer SAML; Latchkey is the service provider.'}{' '}
                The protocol cannot be changed after saving.
              </Text>
            </Stack>
          </Fieldset>
        )}

        <Fieldset legend="General" radius="md">
          <Stack gap="sm">
            <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md" verticalSpacing="sm">
              <TextInput
                label="Name"
                description="Shown on the sign-in page: “Sign in with …”."
                withAsterisk
                value={values.name}
                onChange={(event) => set('name', event.currentTarget.value)}
                error={errors.name}
                maxLength={100}
                data-autofocus
              />
              <Select
                label="Default security group"
                description="For new accounts when no group mapping matches."
                withAsterisk
                data={groupOptions}
                value={values.defaultGroupId}
                onChange={(value) => set('defaultGroupId', value)}
                error={errors.defaultGroupId}
                allowDeselect={false}
                placeholder="Choose a security group"
              />
            </SimpleGrid>
            <TagsInput
              label="Email domains"
              description="People whose email ends in one of these are sent to this provider on the sign-in page. Press Enter after each."
              placeholder={values.emailDomains.length === 0 ? 'corp.example' : undefined}
              value={values.emailDomains}
              onChange={(domains) =>
                set('emailDomains', [...new Set(domains.map(normaliseDomain).filter((domain) => domain !== ''))])
              }
              splitChars={[',', ' ', ';']}
              acceptValueOnBlur
              clearable
              error={errors.emailDomains}
            />
            {isNew && (
              <Switch
                label="Enabled"
                description="People can sign in with it as soon as it is saved."
                checked={values.enabled}
                onChange={(event) => set('enabled', event.currentTarget.checked)}
              />
            )}
            <Checkbox
              label="Link to existing accounts with the same verified email"
              description="An existing Latchkey account then becomes an SSO account and loses its local password."
              checked={values.allowEmailLinking}
              onChange={(event) => set('allowEmailLinking', event.currentTarget.checked)}
              error={errors.allowEmailLinking}
            />
          </Stack>
        </Fieldset>

        {protocol === 'oidc' ? (
          <Fieldset legend="OpenID Connect settings" radius="md">
            <Stack gap="sm">
              <TextInput
                label="Issuer URL"
                description="Latchkey reads its /.well-known/openid-configuration."
                placeholder="https://login.corp.example"
                withAsterisk
                value={values.oidc.issuer}
                onChange={(event) => setOidc('issuer', event.currentTarget.value)}
                error={errors['oidc.issuer']}
                type="url"
              />
              <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md" verticalSpacing="sm">
                <TextInput
                  label="Client ID"
                  withAsterisk
                  value={values.oidc.clientId}
                  onChange={(event) => setOidc('clientId', event.currentTarget.value)}
                  error={errors['oidc.clientId']}
                  autoComplete="off"
                />
                <PasswordInput
                  label="Client secret"
                  description={
                    provider?.oidc?.hasClientSecret && !values.clearClientSecret
                      ? 'A client secret is stored — leave empty to keep it.'
                      : 'Stored encrypted and never shown again. Leave empty for a public client (PKCE only).'
                  }
                  value={values.oidc.clientSecret}
                  onChange={(event) => {
                    setOidc('clientSecret', event.currentTarget.value);
                    if (event.currentTarget.value !== '') set('clearClientSecret', false);
                  }}
                  error={errors['oidc.clientSecret']}
                  autoComplete="new-password"
                />
                <TextInput
                  label="Scopes"
                  description="Separated by spaces; openid is always requested."
                  value={values.oidc.scopes}
                  onChange={(event) => setOidc('scopes', event.currentTarget.value)}
                  error={errors['oidc.scopes']}
                />
                <TextInput
                  label="Groups claim"
                  description="The claim that carries group names. Empty: no group mapping."
                  value={values.oidc.groupsClaim}
                  onChange={(event) => setOidc('groupsClaim', event.currentTarget.value)}
                  error={errors['oidc.groupsClaim']}
                />
              </SimpleGrid>
              {provider?.oidc?.hasClientSecret && (
                <Checkbox
                  label="Clear the stored client secret (a public client that uses PKCE only)"
                  checked={values.clearClientSecret}
                  disabled={values.oidc.clientSecret !== ''}
                  onChange={(event) => set('clearClientSecret', event.currentTarget.checked)}
                />
              )}
            </Stack>
          </Fieldset>
        ) : (
          <Fieldset legend="SAML 2.0 settings" radius="md">
            <Stack gap="sm">
              <FileInput
                label="Upload metadata XML"
                description="The identity provider’s metadata file fills in the fields below (nothing is saved until you press Save)."
                placeholder="Choose an .xml file"
                accept=".xml,application/xml,text/xml,application/samlmetadata+xml"
                value={metadataFile}
                onChange={(file) => {
                  setMetadataFile(file);
                  metadata.reset();
                  if (file) metadata.mutate(file);
                }}
                error={metadata.isError ? messageOf(metadata.error) : undefined}
                rightSection={metadata.isPending ? <Loader size="xs" aria-label="Reading the metadata" /> : undefined}
                clearable
                maw={520}
              />
              <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md" verticalSpacing="sm">
                <TextInput
                  label="Entity ID"
                  description="The identity provider’s Entity ID (its Issuer)."
                  withAsterisk
                  value={values.saml.entityId}
                  onChange={(event) => setSaml('entityId', event.currentTarget.value)}
                  error={errors['saml.entityId']}
                />
                <TextInput
                  label="SSO login URL"
                  description="Where people are sent to sign in (HTTP-Redirect binding)."
                  withAsterisk
                  type="url"
                  value={values.saml.ssoUrl}
                  onChange={(event) => setSaml('ssoUrl', event.currentTarget.value)}
                  error={errors['saml.ssoUrl']}
                />
                <TextInput
                  label="Logout URL"
                  description="Optional: offered to people after they sign out of Latchkey."
                  type="url"
                  value={values.saml.logoutUrl}
                  onChange={(event) => setSaml('logoutUrl', event.currentTarget.value)}
                  error={errors['saml.logoutUrl']}
                />
                <TextInput
                  label="Groups attribute"
                  description="The attribute that carries group names. Empty: no group mapping."
                  value={values.saml.groupsAttribute}
                  onChange={(event) => setSaml('groupsAttribute', event.currentTarget.value)}
                  error={errors['saml.groupsAttribute']}
                />
              </SimpleGrid>
              <Textarea
                label="Signing certificate"
                description="PEM (-----BEGIN CERTIFICATE-----) or its base64. Assertions must be signed with its key."
                withAsterisk
                value={values.saml.certificate}
                onChange={(event) => setSaml('certificate', event.currentTarget.value)}
                error={errors['saml.certificate']}
                autosize
                minRows={4}
                maxRows={10}
                styles={monospace}
                spellCheck={false}
              />
              {provider?.saml && values.saml.certificate === initial.saml.certificate ? (
                <CertificateExpiry
                  expiresAt={provider.saml.certificateExpiresAt}
                  subject={provider.saml.certificateSubject}
                  prefs={me.user}
                />
              ) : fromMetadata?.certificateExpiresAt && values.saml.certificate === fromMetadata.certificate ? (
                <CertificateExpiry expiresAt={fromMetadata.certificateExpiresAt} prefs={me.user} pending />
              ) : null}
            </Stack>
          </Fieldset>
        )}

        <GroupMappingEditor
          rows={values.groupMappings}
          onChange={(rows) => {
            set('groupMappings', rows);
            setErrors((current) =>
              Object.fromEntries(Object.entries(current).filter(([key]) => !key.startsWith('groupMappings'))),
            );
          }}
          groupOptions={groupOptions}
          errors={errors}
          groupsSource={groupsSource}
        />

        {protocol === 'oidc' ? (
          <ServiceProviderUrls
            note={
              provider
                ? undefined
                : 'Register Latchkey at the provider with these addresses (the same for every OpenID Connect provider).'
            }
            fields={[
              { label: 'Redirect URI', value: sp?.redirectUri ?? `${origin}/api/v1/sso/oidc/callback` },
              { label: 'Post-logout redirect URI', value: sp?.postLogoutRedirectUri ?? `${origin}/login` },
            ]}
          />
        ) : provider ? (
          <ServiceProviderUrls
            fields={[
              { label: 'SP Entity ID', value: sp?.entityId ?? null },
              { label: 'ACS URL', value: sp?.acsUrl ?? null },
              { label: 'Metadata URL', value: sp?.metadataUrl ?? null },
            ]}
          />
        ) : (
          <Fieldset legend="Enter these at the identity provider" radius="md">
            <Text size="sm" c="dimmed">
              Latchkey’s SP Entity ID, ACS URL and metadata URL appear here after saving: each SAML provider gets its
              own.
            </Text>
          </Fieldset>
        )}

        {formError && (
          <Alert color="red" role="alert" title="The identity provider was not saved" tabIndex={-1}>
            {formError}
          </Alert>
        )}

        <Group gap="sm">
          <Button type="submit" loading={save.isPending}>
            Save
          </Button>
          <Button variant="default" onClick={() => void navigate(IDENTITY_PROVIDERS_PATH)}>
            Cancel
          </Button>
        </Group>
      </Stack>
      <ToggleProviderDialog provider={toggling} onClose={() => setToggling(null)} />
      <RemoveProviderDialog
        provider={removing}
        onClose={() => setRemoving(null)}
        onRemoved={() => void navigate(IDENTITY_PROVIDERS_PATH, { replace: true })}
      />
    </form>
  );
}
