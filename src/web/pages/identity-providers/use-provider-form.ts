import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import type { IdentityProvider, SsoProtocolName } from '../../../shared/schemas/identity-providers.js';
import { ApiError, messageOf } from '../../api/client.js';
import {
  createIdentityProvider,
  readSamlMetadata,
  updateIdentityProvider,
  type SamlMetadataFields,
} from '../../api/identity-providers.js';
import { queryKeys } from '../../api/query-keys.js';
import { IDENTITY_PROVIDERS_PATH } from './identity-providers-page.js';
import {
  checkBody,
  createBody,
  initialProviderValues,
  isDirty,
  updateBody,
  type MappingRow,
  type ProviderValues,
} from './provider-form-values.js';

/** Field names the form shows messages under; any other message goes above the buttons. */
const SHOWN_FIELD =
  /^(name|enabled|defaultGroupId|emailDomains(\.\d+)?|allowEmailLinking|groupMappings(\.\d+\.(idpGroup|securityGroupId))?|oidc\.(issuer|clientId|clientSecret|scopes|groupsClaim)|saml\.(entityId|ssoUrl|logoutUrl|certificate|groupsAttribute))$/;

/** The Identity Provider form's state: what is entered, its messages, reading SAML metadata, Save. */
export type ProviderForm = ReturnType<typeof useProviderForm>;

/**
 * The state of one Identity Provider form (a new one when `provider` is null). The editor page
 * mounts a fresh form for each saved version, so `initial` is what was last saved.
 */
export function useProviderForm(provider: IdentityProvider | null, initialProtocol: SsoProtocolName) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [initial] = useState(() => initialProviderValues(provider, initialProtocol));
  const [values, setValues] = useState<ProviderValues>(initial);
  const [errors, setErrors] = useState<Record<string, string | undefined>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [createdId, setCreatedId] = useState<string | null>(null);
  const [fromMetadata, setFromMetadata] = useState<SamlMetadataFields | null>(null);
  const [metadataFile, setMetadataFile] = useState<File | null>(null);
  const formRef = useRef<HTMLFormElement>(null);
  const dirty = isDirty(initial, values);

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
    // The form is long: take the person to the first field to fix, else to the form's message (once
    // React has shown it). Not simply the first alert: a connection test's result may stand earlier.
    requestAnimationFrame(() => {
      const form = formRef.current;
      const target =
        form?.querySelector<HTMLElement>('[aria-invalid="true"]') ??
        form?.querySelector<HTMLElement>('[data-form-error]');
      target?.focus();
    });
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
  /** New mapping rows: the list's messages and every row's go, since rows may have moved. */
  function setGroupMappings(rows: MappingRow[]) {
    set('groupMappings', rows);
    setErrors((current) =>
      Object.fromEntries(Object.entries(current).filter(([key]) => !key.startsWith('groupMappings'))),
    );
  }
  /** A metadata file was chosen (or cleared): read it into the SAML fields. */
  function chooseMetadataFile(file: File | null) {
    setMetadataFile(file);
    metadata.reset();
    if (file) metadata.mutate(file);
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

  return {
    initial,
    values,
    errors,
    formError,
    createdId,
    dirty,
    formRef,
    save,
    metadata,
    metadataFile,
    fromMetadata,
    set,
    setOidc,
    setSaml,
    setGroupMappings,
    chooseMetadataFile,
    submit,
  };
}
