import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { IdentityProvider } from '../../../shared/schemas/identity-providers.js';
import { deleteIdentityProvider, updateIdentityProvider } from '../../api/identity-providers.js';
import { queryKeys } from '../../api/query-keys.js';
import { ConfirmDialog } from '../../components/confirm-dialog.js';

/**
 * "Disable X?" / "Enable X?": disabling stops every sign-in through the provider at once, so it is
 * confirmed like a destructive action; enabling is confirmed too so the two read the same way.
 */
export function ToggleProviderDialog({
  provider,
  onClose,
}: {
  provider: IdentityProvider | null;
  onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const enabling = provider ? !provider.enabled : false;
  const mutation = useMutation({
    mutationFn: (target: IdentityProvider) => updateIdentityProvider(target.id, { enabled: !target.enabled }),
    onSuccess: (updated) => {
      notifications.show({
        color: 'green',
        message: `Identity provider “${updated.name}” ${updated.enabled ? 'enabled' : 'disabled'}`,
      });
      queryClient.setQueryData(queryKeys.identityProvider(updated.id), updated);
      void queryClient.invalidateQueries({ queryKey: queryKeys.identityProviders });
      close();
    },
  });

  function close() {
    mutation.reset();
    onClose();
  }

  const name = provider?.name ?? '';
  return (
    <ConfirmDialog
      opened={provider !== null}
      title={enabling ? `Enable ${name}?` : `Disable ${name}?`}
      message={
        enabling
          ? `People will be able to sign in with ${name} again, and its “Sign in with” button returns to the sign-in page.`
          : `People will not be able to sign in with ${name}, and everyone signed in through it is signed out now. Their accounts stay.`
      }
      confirmLabel={enabling ? 'Enable' : 'Disable'}
      constructive={enabling}
      onConfirm={() => provider && mutation.mutate(provider)}
      onClose={close}
      pending={mutation.isPending}
      error={mutation.isError ? mutation.error : null}
      errorTitle={enabling ? 'The provider was not enabled' : 'The provider was not disabled'}
    />
  );
}

/** "Delete X?": only possible while no account signs in through it (the server refuses otherwise). */
export function RemoveProviderDialog({
  provider,
  onClose,
  onRemoved,
}: {
  provider: IdentityProvider | null;
  onClose: () => void;
  onRemoved?: () => void;
}) {
  const queryClient = useQueryClient();
  const mutation = useMutation({
    mutationFn: (id: string) => deleteIdentityProvider(id),
    onSuccess: () => {
      notifications.show({ color: 'green', message: `Identity provider “${provider?.name ?? ''}” deleted` });
      void queryClient.invalidateQueries({ queryKey: queryKeys.identityProviders });
      close();
      onRemoved?.();
    },
  });

  function close() {
    mutation.reset();
    onClose();
  }

  const name = provider?.name ?? '';
  return (
    <ConfirmDialog
      opened={provider !== null}
      title={`Delete ${name}?`}
      message={`The identity provider “${name}”, its email domains and group mappings will be deleted. Nobody has signed in through it. This cannot be undone.`}
      confirmLabel="Delete"
      onConfirm={() => provider && mutation.mutate(provider.id)}
      onClose={close}
      pending={mutation.isPending}
      error={mutation.isError ? mutation.error : null}
      errorTitle="The identity provider was not deleted"
    />
  );
}

/** Why a provider cannot be deleted, in the server's words (its can.delete); null when it can. */
export function removeRefusal(provider: IdentityProvider): string | null {
  return provider.can.delete.allowed ? null : provider.can.delete.message;
}
